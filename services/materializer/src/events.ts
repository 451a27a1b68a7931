// What a closed window turns into: consent events, incoming_message campaign events and the
// blacklist entries that become CONSENT_TRACKED. Pure: the current blacklist is passed in.

import {
  campaignEventFor, consentEventsFor, markConsentTracked,
  type BlacklistEntry, type CampaignEvent, type ConsentEvent,
} from '@optline/core';
import type { Fact } from './facts.ts';

export interface WindowOutput {
  consent: ConsentEvent[];
  campaign: CampaignEvent[];
  /** CONSENT_TRACKED entries to write, one per (project, phone) at most. */
  blacklist: BlacklistEntry[];
}

export type BlacklistLookup = (project: string, phone: string) => BlacklistEntry | undefined;

/**
 * The events of a window's facts, in fact order, each event_id once (a fact the matcher
 * published twice yields its events once).
 *
 * An opt-out's blacklist entry becomes CONSENT_TRACKED only while the current entry is still
 * BLOCKED by that same opt-out: an entry cleared meanwhile (opt-in keyword, consent accept) is
 * never resurrected, and one re-blocked by a newer opt-out waits for that opt-out's events.
 */
export function windowOutput(facts: readonly Fact[], importedAt: number, current: BlacklistLookup): WindowOutput {
  const consent = new Map<string, ConsentEvent>();
  const campaign = new Map<string, CampaignEvent>();
  const blacklist = new Map<string, BlacklistEntry>();
  for (const fact of facts) {
    switch (fact.type) {
      case 'opted_out': {
        for (const e of consentEventsFor(fact, importedAt)) if (!consent.has(e.event_id)) consent.set(e.event_id, e);
        const key = `${fact.project}:${fact.phone}`;
        const entry = blacklist.get(key) ?? current(fact.project, fact.phone);
        const tracked = entry && consentTracked(entry, fact.message_id, importedAt);
        if (tracked) blacklist.set(key, tracked);
        break;
      }
      case 'opted_in':
        for (const e of consentEventsFor(fact, importedAt)) if (!consent.has(e.event_id)) consent.set(e.event_id, e);
        break;
      case 'incoming_message': {
        const e = campaignEventFor(fact);
        if (!campaign.has(e.event_id)) campaign.set(e.event_id, e);
        break;
      }
    }
  }
  return { consent: [...consent.values()], campaign: [...campaign.values()], blacklist: [...blacklist.values()] };
}

/** The entry as CONSENT_TRACKED for opt-out `messageId`, or null when the rule says leave it. */
function consentTracked(entry: BlacklistEntry, messageId: string, at: number): BlacklistEntry | null {
  const { project, phone, ...state } = entry;
  const next = markConsentTracked({ profiles: [], blacklist: state, processed: {} }, { message_id: messageId, at });
  return next.blacklist === null || next.blacklist.status === entry.status ? null : { project, phone, ...next.blacklist };
}
