import { describe, expect, it } from 'vitest';
import { decide, emptyPhoneState, evolve, possibleOptOutId, validateSettings, type InboundMessage, type PhoneState, type SmsSettings } from '@optline/core';

const PHONE = '00421905123456';
const T = 1_700_000_000_000;

function settings(overrides: Record<string, unknown> = {}): SmsSettings {
  const result = validateSettings('acme', {
    trackIncoming: false, optOutEnabled: true, keywords: ['stop', 'arret'], optInKeywords: ['start'],
    consentCategories: ['sms'], dedicatedNumbers: ['12345'], ...overrides,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.settings;
}

const message = (body: string, message_id = 'm1'): InboundMessage => ({ message_id, project: 'acme', from: PHONE, to: '12345', body, received_at: T });
const withProfile: PhoneState = { ...emptyPhoneState(), profiles: [{ customer_id: 'alice', last_sent_at: T - 1, updated_at: T - 2 }] };

describe('decide: possible opt-outs', () => {
  it('flag (the default): one review-queue fact with its reason, no blacklist change', () => {
    const facts = decide(withProfile, message('please stop texting me'), settings());
    expect(facts).toEqual([{
      type: 'possible_opt_out', id: possibleOptOutId('acme', 'm1'), project: 'acme', phone: PHONE, message_id: 'm1', received_at: T,
      body: 'please stop texting me', sender: PHONE, recipient: '12345', rule: 'phrase', language: 'en', evidence: 'please stop', keyword: null,
      reason: '"please stop" matches the en phrase rule "@please stop"',
    }]);
    const after = facts.reduce(evolve, withProfile);
    expect(after.blacklist).toBeNull();
    // A redelivery of the same message is the same item, and decided once.
    expect(decide(after, message('please stop texting me'), settings())).toEqual([]);
    expect(possibleOptOutId('acme', 'm1')).toBe(facts[0]!.type === 'possible_opt_out' ? facts[0]!.id : '');
    expect(possibleOptOutId('acme', 'm2')).not.toBe(possibleOptOutId('acme', 'm1'));
  });

  it('blacklist: an opt-out at once, source keyword, with the reason recorded', () => {
    const facts = decide(withProfile, message('stpo'), settings({ possibleOptOuts: 'blacklist' }));
    expect(facts).toMatchObject([
      { type: 'blacklisted', keyword: 'stop', message_id: 'm1', blocked_at: T, source: 'keyword', reason: 'possible opt-out: "stpo" is one slip (swapped letters) from the opt-out keyword "stop"' },
      { type: 'opted_out', keyword: 'stop', customer_ids: ['alice'], categories: ['sms'], body: 'stpo' },
    ]);
    expect(facts.reduce(evolve, withProfile).blacklist).toMatchObject({ status: 'BLOCKED', source: 'keyword', reason: expect.stringContaining('possible opt-out') });
    // A phrase has no keyword: the entry's keyword is empty and the reason says why.
    expect(decide(withProfile, message('Bitte keine SMS mehr'), settings({ possibleOptOuts: 'blacklist' }))[0]).toMatchObject({ keyword: '', reason: expect.stringContaining('de phrase rule') });
  });

  it('off, or opt-out disabled: nothing', () => {
    expect(decide(withProfile, message('please stop texting me'), settings({ possibleOptOuts: 'off' }))).toEqual([]);
    expect(decide(withProfile, message('please stop texting me'), settings({ optOutEnabled: false }))).toEqual([]);
  });

  it('flags nothing for a phone already on the list, nor for a reply no rule reads as a request', () => {
    const blocked: PhoneState = { ...withProfile, blacklist: { status: 'BLOCKED', keyword: 'stop', message_id: 'm0', blocked_at: T - 5, updated_at: T - 5 } };
    expect(decide(blocked, message('please stop texting me'), settings())).toEqual([]);
    expect(decide(withProfile, message("Don't stop the offers"), settings())).toEqual([]);
  });

  it('keeps the keyword rule first: a keyword opt-out is never a possible one', () => {
    expect(decide(withProfile, message('STOP please stop texting me'), settings()).map((f) => f.type)).toEqual(['blacklisted', 'opted_out']);
  });
});
