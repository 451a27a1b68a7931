import { describe, expect, it } from 'vitest';
import { consentTrackedNotices, windowEvents } from '../src/events.ts';
import { factRecord, unwrapFact, FactError, type Fact } from '../src/facts.ts';

const RECEIVED = Date.parse('2026-03-01T10:15:00Z');
const NOW = Date.parse('2026-03-01T11:01:00Z');
const base = { project: 'shop', phone: '00421905123456', received_at: RECEIVED, body: 'STOP please', sender: '00421905123456', recipient: '00421900000001' };
const optOut = (message_id: string, customer_ids: string[], categories = ['sms']) => ({ type: 'opted_out' as const, ...base, message_id, keyword: 'STOP', customer_ids, categories });

describe('windowEvents and consentTrackedNotices', () => {
  it('the product page example: two profiles reply STOP -> two consent rejects, one incoming_message on the last-SMS profile', () => {
    const facts: Fact[] = [
      optOut('m1', ['c-last-sms', 'c-other']),
      { type: 'incoming_message', ...base, message_id: 'm1', customer_id: 'c-last-sms' },
    ];
    const out = windowEvents(facts, NOW);
    expect(out.consent.map((e) => [e.customer_id, e.action, e.category])).toEqual([['c-last-sms', 'reject', 'sms'], ['c-other', 'reject', 'sms']]);
    expect(out.consent[0]).toMatchObject({
      project: 'shop', timestamp: RECEIVED, imported_timestamp: NOW, source: 'sms_reply',
      identification: base.sender, identification_type: 'phone', message: 'STOP please',
    });
    expect(out.campaign).toHaveLength(1);
    expect(out.campaign[0]).toMatchObject({
      customer_id: 'c-last-sms', status: 'incoming_message', action_type: 'sms', timestamp: RECEIVED,
      message: 'STOP please', sender: base.sender, recipient: base.recipient,
    });
  });

  it('makes one consent event per profile per category (10 profiles x 3 categories = 30), ids unique and stable', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `c${i}`);
    const a = windowEvents([optOut('m1', ids, ['sms', 'marketing', 'news'])], NOW);
    const b = windowEvents([optOut('m1', ids, ['sms', 'marketing', 'news'])], NOW + 5000);
    expect(a.consent).toHaveLength(30);
    expect(new Set(a.consent.map((e) => e.event_id)).size).toBe(30);
    expect(b.consent.map((e) => e.event_id)).toEqual(a.consent.map((e) => e.event_id));
  });

  it('emits an event once when the matcher published its fact twice', () => {
    const out = windowEvents([optOut('m1', ['c1']), optOut('m1', ['c1'])], NOW);
    expect(out.consent).toHaveLength(1);
  });

  it('tracks opt-ins as consent accepts with ids of their own', () => {
    const out = windowEvents([optOut('m1', ['c1']), { ...optOut('m2', ['c1']), type: 'opted_in' as const, keyword: 'START' }], NOW);
    expect(out.consent.map((e) => e.action)).toEqual(['reject', 'accept']);
    expect(new Set(out.consent.map((e) => e.event_id)).size).toBe(2);
  });

  it('tells the matcher once per opt-out that its consent events are tracked, and nothing for other facts', () => {
    const facts: Fact[] = [
      optOut('m1', ['c1']), optOut('m1', ['c1']), optOut('m2', ['c1']),
      { type: 'incoming_message', ...base, message_id: 'm3', customer_id: 'c1' },
    ];
    expect(consentTrackedNotices(facts, NOW)).toEqual([
      { project: 'shop', phone: base.phone, message_id: 'm1', tracked_at: NOW },
      { project: 'shop', phone: base.phone, message_id: 'm2', tracked_at: NOW },
    ]);
  });

  it('keys no customer: an incoming message without a profile keeps customer_id null', () => {
    const out = windowEvents([{ type: 'incoming_message', ...base, message_id: 'm9', customer_id: null }], NOW);
    expect(out.campaign[0]!.customer_id).toBeNull();
  });
});

describe('facts', () => {
  it('unwraps the Avro union and wraps it back', () => {
    const fact = optOut('m1', ['c1']);
    const record = factRecord(fact, NOW);
    expect(Object.keys(record.fact)).toEqual(['dev.optline.OptOutFact']);
    expect(unwrapFact(record)).toEqual(fact);
  });

  it('names the field and rule of a fact it cannot use', () => {
    const bad = { fact: { 'dev.optline.Other': {} }, recorded_at: NOW } as never;
    expect(() => unwrapFact(bad)).toThrow(FactError);
    try {
      unwrapFact(factRecord({ ...optOut('', ['c1']) }, NOW));
    } catch (err) {
      expect(err).toMatchObject({ field: 'fact.message_id', rule: 'message_id_empty' });
      return;
    }
    throw new Error('an empty message_id was accepted');
  });
});
