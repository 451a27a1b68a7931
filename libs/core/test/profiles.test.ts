import { describe, expect, it } from 'vitest';
import {
  attributeIncomingMessage,
  decideCustomerProfile,
  decideSmsSent,
  emptyPhoneState,
  evolve,
  selectProfilesToUnsubscribe,
  type CustomerProfileUpdate,
  type PhoneState,
  type ProfileRef,
} from '@optline/core';

const PHONE = '00421905123456';
// Decide, then fold the facts in with evolve, as the matcher does.
const applyCustomerProfile = (state: PhoneState, update: Omit<CustomerProfileUpdate, 'project'>, phone: string) =>
  decideCustomerProfile(state, { project: 'p', ...update }, phone).reduce(evolve, state);
const applySmsSent = (state: PhoneState, sent: { customer_id: string; sent_at: number }) =>
  decideSmsSent(state, { project: 'p', ...sent }, PHONE).reduce(evolve, state);
const p = (customer_id: string, last_sent_at: number | null, updated_at: number | null): ProfileRef => ({ customer_id, last_sent_at, updated_at });

describe('selectProfilesToUnsubscribe', () => {
  it('orders by last SMS sent, then last update, missing times last, then customer_id', () => {
    const profiles = [p('d', null, null), p('c', null, 50), p('b', 10, 1), p('a', 20, null), p('e', 10, 5), p('f', null, 50)];
    expect(selectProfilesToUnsubscribe(profiles)).toEqual(['a', 'e', 'b', 'c', 'f', 'd']);
  });

  it('takes at most ten, and does not reorder its input', () => {
    const profiles = Array.from({ length: 15 }, (_, i) => p(`c${i}`, 1000 + i, null));
    const before = profiles.map((x) => x.customer_id);
    expect(selectProfilesToUnsubscribe(profiles)).toEqual(['c14', 'c13', 'c12', 'c11', 'c10', 'c9', 'c8', 'c7', 'c6', 'c5']);
    expect(profiles.map((x) => x.customer_id)).toEqual(before);
  });
});

describe('attributeIncomingMessage', () => {
  it.each([
    ['the profile that received the last SMS', [p('a', 10, 99), p('b', 20, 1)], 'b'],
    ['else the most recently updated', [p('a', null, 5), p('b', null, 7)], 'b'],
    ['a sent-to profile beats a more recently updated one', [p('a', null, 999), p('b', 1, 1)], 'b'],
    ['else the first by customer_id', [p('z', null, null), p('y', null, null)], 'y'],
    ['else nobody', [], null],
  ] as const)('%s', (_, profiles, expected) => {
    expect(attributeIncomingMessage(profiles)).toBe(expected);
  });
});

describe('applyCustomerProfile', () => {
  const st = (profiles: ProfileRef[]): PhoneState => ({ ...emptyPhoneState(), profiles });

  it('adds a profile with this phone and updates it, keeping its last send', () => {
    const added = applyCustomerProfile(emptyPhoneState(), { customer_id: 'a', phone: PHONE, updated_at: 5, deleted: false }, PHONE);
    expect(added.profiles).toEqual([p('a', null, 5)]);
    const updated = applyCustomerProfile(st([p('a', 3, 5)]), { customer_id: 'a', phone: PHONE, updated_at: 9, deleted: false }, PHONE);
    expect(updated.profiles).toEqual([p('a', 3, 9)]);
  });

  it('removes a deleted profile and one that moved to another phone', () => {
    const before = st([p('a', 3, 5), p('b', null, 5)]);
    expect(applyCustomerProfile(before, { customer_id: 'a', phone: PHONE, updated_at: 6, deleted: true }, PHONE).profiles).toEqual([p('b', null, 5)]);
    expect(applyCustomerProfile(before, { customer_id: 'a', phone: '00447911123456', updated_at: 6, deleted: false }, PHONE).profiles).toEqual([p('b', null, 5)]);
    expect(applyCustomerProfile(before, { customer_id: 'a', phone: null, updated_at: 6, deleted: false }, PHONE).profiles).toEqual([p('b', null, 5)]);
  });

  it('ignores a record older than the one applied', () => {
    const before = st([p('a', 3, 5)]);
    expect(applyCustomerProfile(before, { customer_id: 'a', phone: PHONE, updated_at: 4, deleted: true }, PHONE)).toBe(before);
    expect(applyCustomerProfile(emptyPhoneState(), { customer_id: 'x', phone: 'other', updated_at: 1, deleted: false }, PHONE).profiles).toEqual([]);
  });
});

describe('decideCustomerProfile and decideSmsSent', () => {
  it('name the change as facts of the phone', () => {
    expect(decideCustomerProfile(emptyPhoneState(), { project: 'p', customer_id: 'a', phone: PHONE, updated_at: 5, deleted: false }, PHONE))
      .toEqual([{ type: 'profile_updated', project: 'p', phone: PHONE, customer_id: 'a', updated_at: 5 }]);
    expect(decideCustomerProfile({ ...emptyPhoneState(), profiles: [p('a', 1, 1)] }, { project: 'p', customer_id: 'a', phone: null, updated_at: 5, deleted: true }, PHONE))
      .toEqual([{ type: 'profile_removed', project: 'p', phone: PHONE, customer_id: 'a' }]);
    expect(decideSmsSent(emptyPhoneState(), { project: 'p', customer_id: 'a', sent_at: 7 }, PHONE))
      .toEqual([{ type: 'sms_sent', project: 'p', phone: PHONE, customer_id: 'a', sent_at: 7 }]);
  });
});

describe('applySmsSent', () => {
  it('records the latest send, adding a profile not yet known from customers.v1', () => {
    let s = applySmsSent(emptyPhoneState(), { customer_id: 'a', sent_at: 10 });
    expect(s.profiles).toEqual([p('a', 10, null)]);
    s = applySmsSent({ ...s, profiles: [p('a', 10, 4)] }, { customer_id: 'a', sent_at: 20 });
    expect(s.profiles).toEqual([p('a', 20, 4)]);
    expect(applySmsSent(s, { customer_id: 'a', sent_at: 15 })).toBe(s);
  });
});
