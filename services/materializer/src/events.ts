// What a closed window turns into: consent events, incoming_message campaign events and the
// blacklist entries that become CONSENT_TRACKED. Pure: the current blacklist is passed in.

import {
  blacklistKey, campaignEventFor, consentEventsFor, markConsentTracked,
  type BlacklistEntry, type CampaignEvent, type ConsentEvent,
} from '@optline/core';
import type { Fact } from './facts.ts';

export interface WindowEvents {
  consent: ConsentEvent[];
  campaign: CampaignEvent[];
}

export type BlacklistLookup = (project: string, phone: string) => BlacklistEntry | undefined;

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

/**
 * The blacklist entries the window's opt-outs move to CONSENT_TRACKED, one per (project, phone)
 * at most. Only while the current entry is still BLOCKED by that same opt-out: an entry cleared
 * meanwhile (opt-in keyword, consent accept) is never resurrected, and one re-blocked by a newer
 * opt-out waits for that opt-out's events.
 */
export function consentTrackedEntries(facts: readonly Fact[], importedAt: number, current: BlacklistLookup): BlacklistEntry[] {
  const tracked = new Map<string, BlacklistEntry>();
  for (const fact of facts) {
    if (fact.type !== 'opted_out') continue;
    const key = blacklistKey(fact.project, fact.phone);
    const entry = tracked.get(key) ?? current(fact.project, fact.phone);
    const next = entry && consentTracked(entry, fact.message_id, importedAt);
    if (next) tracked.set(key, next);
  }
  return [...tracked.values()];
}

/** The entry as CONSENT_TRACKED for opt-out `messageId`, or null when the rule says leave it. */
function consentTracked(entry: BlacklistEntry, messageId: string, at: number): BlacklistEntry | null {
  // The entry itself stands in for the phone's blacklist state: core's rule copies it with
  // `...`, so project and phone come through without a rest-destructuring copy per fact.
  const next = markConsentTracked({ profiles: [], blacklist: entry, processed: {} }, { message_id: messageId, at }).blacklist;
  return next === null || next.status === entry.status ? null : (next as BlacklistEntry);
}
