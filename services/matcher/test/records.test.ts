import { describe, expect, it } from 'vitest';
import {
  blacklistEntryFor, campaignEventFor, consentEventsFor, emptyPhoneState, enqueueFailedEvent, factRecord,
  type BlacklistEntry as CoreBlacklistEntry, type CampaignEvent as CoreCampaignEvent, type ConsentEvent as CoreConsentEvent,
  type MatcherFactRecord, type OptedOutFact, type PhoneState as CorePhoneState,
} from '@optline/core';
import { avroType, type BlacklistEntry, type CampaignEvent, type ConsentEvent, type PhoneState } from '@optline/schemas';

// The core's hand-written value types are checked against the types generated from
// schemas/avro (compile time: what the core builds must be assignable to the record), and the
// values it builds are valid records of their schemas (run time). BlacklistEntry and PhoneState
// are checked with the fields that have an Avro default left optional: the core leaves them out
// where the default applies (source `keyword`, no actor, no reason).
type Fits<T extends U, U> = T;
type WithDefaults<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;
type Entry = WithDefaults<BlacklistEntry, 'source' | 'actor' | 'reason'>;
export type Checked = [
  Fits<CoreBlacklistEntry, Entry>,
  Fits<CoreConsentEvent, ConsentEvent>,
  Fits<CoreCampaignEvent, CampaignEvent>,
  Fits<CorePhoneState, Omit<PhoneState, 'blacklist'> & { blacklist: Omit<Entry, 'project' | 'phone'> | null }>,
];

const PHONE = '00421905123456';
const optOut: OptedOutFact = {
  type: 'opted_out', project: 'p', phone: PHONE, message_id: 'm1', keyword: 'stop', received_at: 1, body: 'STOP',
  sender: PHONE, recipient: '12345', customer_ids: ['c1'], categories: ['sms'],
};

describe("the core's records", () => {
  it('are valid values of their Avro schemas', () => {
    const state = { ...emptyPhoneState(), blacklist: { status: 'BLOCKED' as const, keyword: 'stop', message_id: 'm1', blocked_at: 1, updated_at: 1, source: 'keyword' as const, actor: null, reason: null } };
    const cases: Array<[string, unknown]> = [
      ['BlacklistEntry', blacklistEntryFor('p', PHONE, state)],
      ['ConsentEvent', consentEventsFor(optOut, 2)[0]],
      ['CampaignEvent', campaignEventFor({ ...optOut, type: 'incoming_message', customer_id: null })],
      ['CampaignEvent', enqueueFailedEvent({ project: 'p', phone: PHONE, customer_id: 'c1', at: 3 })],
      ['MatcherFact', factRecord(optOut, 4) satisfies MatcherFactRecord],
      ['PhoneState', state],
    ];
    for (const [record, value] of cases) expect(avroType(record).isValid(value), record).toBe(true);
  });
});
