import { describe, expect, it } from 'vitest';
import { compiledSettings, decide, emptyPhoneState, validateSettings, type InboundMessage, type PhoneState, type SmsSettings } from '@optline/core';
import { avroType } from '@optline/schemas';
import { matcherFactRecord } from '../src/fact-records.ts';

const settings = compiledSettings((validateSettings('p1', {
  trackIncoming: true, optOutEnabled: true, keywords: ['stop'], optInKeywords: ['start'], consentCategories: ['sms', 'promo'], dedicatedNumbers: ['12345'],
}) as { settings: SmsSettings }).settings);
const state: PhoneState = {
  ...emptyPhoneState(),
  profiles: [{ customer_id: 'a', last_sent_at: 5, updated_at: 1 }, { customer_id: 'b', last_sent_at: null, updated_at: 9 }],
  blacklist: { status: 'BLOCKED', keyword: 'stop', message_id: 'm0', blocked_at: 1, updated_at: 1 },
};
const message = (body: string): InboundMessage => ({ message_id: 'm1', project: 'p1', from: '00421905123456', to: '12345', body, received_at: 100 });
const type = avroType('MatcherFact');

describe('matcherFactRecord', () => {
  it('turns every fact of an opt-out and an opt-in into a valid MatcherFact, and blacklist facts into none', () => {
    for (const body of ['STOP', 'start', 'hello']) {
      for (const fact of decide(state, message(body), settings)) {
        const record = matcherFactRecord(fact, 200);
        if (fact.type === 'blacklisted' || fact.type === 'blacklist_cleared') {
          expect(record).toBeNull();
          continue;
        }
        expect(type.isValid(record), `${fact.type} of ${body}`).toBe(true);
        expect(type.fromBuffer(type.toBuffer(record))).toMatchObject({ recorded_at: 200 });
      }
    }
  });

  it('gives an opt-in the message, the profiles and the categories its consent accept events need', () => {
    const optIn = decide(state, message('start'), settings).find((f) => f.type === 'opted_in')!;
    expect(matcherFactRecord(optIn, 200)!.fact).toMatchObject({ 'dev.optline.OptInFact': {
      keyword: 'start', body: 'start', sender: '00421905123456', recipient: '12345', customer_ids: ['a', 'b'], categories: ['sms', 'promo'],
    } });
  });
});
