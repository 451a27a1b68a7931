// What a closed window turns into: consent events, incoming_message campaign events and the
// notices that tell the matcher which opt-outs' consent events are tracked. Pure.

import { campaignEventFor, consentEventsFor, type CampaignEvent, type ConsentEvent } from '@optline/core';
import type { ConsentTracked } from '@optline/schemas';
import type { Fact } from './facts.ts';

export interface WindowEvents {
  consent: ConsentEvent[];
  campaign: CampaignEvent[];
}

/**
 * The events of a window's facts, in fact order, each event_id once (a fact the matcher
 * published twice yields its events once).
 */
export function windowEvents(facts: readonly Fact[], importedAt: number): WindowEvents {
  const consent = new Map<string, ConsentEvent>();
  const campaign = new Map<string, CampaignEvent>();
  for (const fact of facts) {
    if (fact.type === 'incoming_message') {
      const e = campaignEventFor(fact);
      if (!campaign.has(e.event_id)) campaign.set(e.event_id, e);
    } else {
      for (const e of consentEventsFor(fact, importedAt)) if (!consent.has(e.event_id)) consent.set(e.event_id, e);
    }
  }
  return { consent: [...consent.values()], campaign: [...campaign.values()] };
}

/** What the matcher is told once an opt-out's consent events are tracked. */
export type ConsentTrackedNotice = ConsentTracked;

/**
 * One notice per opt-out of the window (each (project, phone, message) once). Whether the
 * blacklist entry becomes CONSENT_TRACKED is the matcher's decision, taken in order with the
 * phone's opt-ins: it owns the entry, and this service never reads it.
 */
export function consentTrackedNotices(facts: readonly Fact[], trackedAt: number): ConsentTrackedNotice[] {
  const notices = new Map<string, ConsentTrackedNotice>();
  for (const fact of facts) {
    if (fact.type !== 'opted_out') continue;
    const id = JSON.stringify([fact.project, fact.phone, fact.message_id]);
    if (!notices.has(id)) notices.set(id, { project: fact.project, phone: fact.phone, message_id: fact.message_id, tracked_at: trackedAt });
  }
  return [...notices.values()];
}
