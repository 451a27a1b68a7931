import { describe, expect, it } from 'vitest';
import {
  campaignEventFor,
  consentEventsFor,
  ENQUEUE_FAILED_MESSAGE,
  enqueueFailedEvent,
  eventId,
  trackingKey,
  type IncomingMessageFact,
  type OptedOutFact,
} from '@optline/core';

const T = 1_700_000_000_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const optedOut: OptedOutFact = {
  type: 'opted_out', project: 'acme', phone: '00421905123456', message_id: 'm1', keyword: 'stop', received_at: T,
  body: 'STOP', sender: '00421905123456', recipient: '12345', customer_ids: ['bob', 'alice'], categories: ['sms', 'promo'],
};

const incoming: IncomingMessageFact = {
  type: 'incoming_message', project: 'acme', phone: '00421905123456', message_id: 'm1', received_at: T,
  body: 'STOP', sender: '00421905123456', recipient: '12345', customer_id: null,
};

describe('consentEventsFor', () => {
  it('builds accept events for an opt-in keyword, with ids distinct from the rejects of the same message', () => {
    const optedIn = { ...optedOut, type: 'opted_in' as const, keyword: 'start', body: 'START' };
    const accepts = consentEventsFor(optedIn, T + 1);
    expect(accepts).toHaveLength(4);
    expect(accepts.every((e) => e.action === 'accept' && e.message === 'START' && e.source === 'sms_reply')).toBe(true);
    const rejects = new Set(consentEventsFor(optedOut, T + 1).map((e) => e.event_id));
    expect(accepts.some((e) => rejects.has(e.event_id))).toBe(false);
  });

  it('builds one reject per profile and category with the product page fields', () => {
    const events = consentEventsFor(optedOut, T + 3_600_000);
    expect(events.map((e) => [e.customer_id, e.category])).toEqual([['bob', 'sms'], ['bob', 'promo'], ['alice', 'sms'], ['alice', 'promo']]);
    const { event_id, ...rest } = events[0]!;
    expect(event_id).toMatch(UUID);
    expect(rest).toEqual({
      project: 'acme', customer_id: 'bob', timestamp: T, imported_timestamp: T + 3_600_000, action: 'reject',
      source: 'sms_reply', category: 'sms', identification: '00421905123456', identification_type: 'phone', message: 'STOP',
    });
    expect(new Set(events.map((e) => e.event_id)).size).toBe(4);
  });

  it('gives the same event ids when rebuilt, whenever it is imported', () => {
    const ids = (at: number) => consentEventsFor(optedOut, at).map((e) => e.event_id);
    expect(ids(T + 1)).toEqual(ids(T + 2));
  });

  it('builds nothing without profiles', () => {
    expect(consentEventsFor({ ...optedOut, customer_ids: [] }, T)).toEqual([]);
  });
});

describe('campaign events', () => {
  it('builds the incoming_message event of a tracked message', () => {
    const { event_id, ...rest } = campaignEventFor(incoming);
    expect(event_id).toMatch(UUID);
    expect(rest).toEqual({
      project: 'acme', customer_id: null, status: 'incoming_message', action_type: 'sms', timestamp: T,
      message: 'STOP', sender: '00421905123456', recipient: '12345',
    });
    expect(campaignEventFor(incoming).event_id).toBe(event_id);
    expect(campaignEventFor({ ...incoming, message_id: 'm2' }).event_id).not.toBe(event_id);
  });

  it('builds the enqueue_failed event of a refused send with the exact message', () => {
    const event = enqueueFailedEvent({ project: 'acme', phone: '00421905123456', customer_id: 'bob', at: T });
    expect(event).toMatchObject({ status: 'enqueue_failed', action_type: 'sms', timestamp: T, customer_id: 'bob', sender: '00421905123456', recipient: null });
    expect(event.message).toBe('Phone number is blacklisted by an opt-out keyword.');
    expect(ENQUEUE_FAILED_MESSAGE).toBe(event.message);
  });

  it('keys events by customer, else by phone', () => {
    expect(trackingKey(campaignEventFor(incoming))).toBe('00421905123456');
    expect(trackingKey(campaignEventFor({ ...incoming, customer_id: 'bob' }))).toBe('bob');
    expect(trackingKey(consentEventsFor(optedOut, T)[0]!)).toBe('bob');
  });
});

describe('eventId', () => {
  it('is a deterministic version 5 UUID that no separator in the parts can confuse', () => {
    expect(eventId('a|b', 'c')).toBe(eventId('a|b', 'c'));
    expect(eventId('a|b', 'c')).not.toBe(eventId('a', 'b|c'));
    expect(eventId('x')).toMatch(UUID);
  });
});
