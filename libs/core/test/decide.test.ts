import { describe, expect, it } from 'vitest';
import {
  blacklistEntryFor,
  decide,
  decideConsentAccept,
  emptyPhoneState,
  evolve,
  handleMessage,
  decideConsentTracked,
  pruneProcessed,
  validateSettings,
  type Fact,
  type InboundMessage,
  type PhoneState,
  type ProfileRef,
  type SmsSettings,
} from '@optline/core';

const PHONE = '00421905123456';
const DEDICATED = '12345';
const T = 1_700_000_000_000;

function settings(overrides: Record<string, unknown> = {}): SmsSettings {
  const result = validateSettings('acme', {
    trackIncoming: true,
    optOutEnabled: true,
    keywords: ['stop', 'arret'],
    optInKeywords: ['start'],
    consentCategories: ['sms', 'promo'],
    dedicatedNumbers: [DEDICATED],
    ...overrides,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.settings;
}

function message(body: string, message_id = 'm1', received_at = T): InboundMessage {
  return { message_id, project: 'acme', from: PHONE, to: DEDICATED, body, received_at };
}

function profile(customer_id: string, last_sent_at: number | null, updated_at: number | null): ProfileRef {
  return { customer_id, last_sent_at, updated_at };
}

function state(profiles: ProfileRef[], blacklist: PhoneState['blacklist'] = null): PhoneState {
  return { ...emptyPhoneState(), profiles, blacklist };
}

/** The materializer's notice for opt-out `messageId`, decided and folded in. */
function tracked(st: PhoneState, messageId: string, at: number): PhoneState {
  return decideConsentTracked(st, { project: 'acme', phone: PHONE, message_id: messageId, at }).reduce(evolve, st);
}

const blocked = { status: 'BLOCKED' as const, keyword: 'stop', message_id: 'm0', blocked_at: T - 1000, updated_at: T - 1000 };
const twelve = Array.from({ length: 12 }, (_, i) => profile(`c${String(i).padStart(2, '0')}`, i < 6 ? T - 60_000 * i : null, T - 1000 * i));

// What `decide` answers, summarised to the facts' types and their interesting fields.
interface Row {
  name: string;
  state: PhoneState;
  body: string;
  settings?: Record<string, unknown>;
  expected: Array<[Fact['type'], Record<string, unknown>]>;
}

const rows: Row[] = [
  {
    name: 'two profiles sharing the phone: both unsubscribed, the one sent to last gets the message',
    state: state([profile('alice', T - 5000, T - 9000), profile('bob', T - 2000, T - 99_000)]),
    body: 'STOP',
    expected: [
      ['blacklisted', { keyword: 'stop', message_id: 'm1', blocked_at: T }],
      ['opted_out', { customer_ids: ['bob', 'alice'], categories: ['sms', 'promo'], keyword: 'stop', body: 'STOP', sender: PHONE, recipient: DEDICATED }],
      ['incoming_message', { customer_id: 'bob', body: 'STOP' }],
    ],
  },
  {
    name: 'twelve profiles: the ten most recently active are unsubscribed',
    state: state(twelve),
    body: 'arrêt',
    expected: [
      ['blacklisted', { keyword: 'arret' }],
      ['opted_out', { customer_ids: ['c00', 'c01', 'c02', 'c03', 'c04', 'c05', 'c06', 'c07', 'c08', 'c09'] }],
      ['incoming_message', { customer_id: 'c00' }],
    ],
  },
  {
    name: 'no profile: still blacklisted, nobody to unsubscribe, message tracked to the phone',
    state: state([]),
    body: ' Stop please',
    expected: [
      ['blacklisted', { phone: PHONE }],
      ['opted_out', { customer_ids: [] }],
      ['incoming_message', { customer_id: null, phone: PHONE }],
    ],
  },
  {
    name: 'no SMS ever sent: the most recently updated profile gets the message',
    state: state([profile('old', null, T - 9000), profile('new', null, T - 1000)]),
    body: 'Thanks!',
    expected: [['incoming_message', { customer_id: 'new' }]],
  },
  {
    name: 'opt-out disabled: a keyword is only an incoming message',
    state: state([profile('alice', T, T)]),
    body: 'STOP',
    settings: { optOutEnabled: false },
    expected: [['incoming_message', { customer_id: 'alice', body: 'STOP' }]],
  },
  {
    name: 'tracking disabled: an opt-out still blacklists, an ordinary reply does nothing',
    state: state([profile('alice', T, T)]),
    body: 'stop',
    settings: { trackIncoming: false },
    expected: [['blacklisted', {}], ['opted_out', { customer_ids: ['alice'] }]],
  },
  {
    name: 'tracking disabled, no keyword: nothing',
    state: state([profile('alice', T, T)]),
    body: 'see you',
    settings: { trackIncoming: false },
    expected: [],
  },
  {
    name: 'not a keyword at the start: no opt-out, a possible one for review (the default, flag), and the incoming message',
    state: state([]),
    body: 'Please stop',
    expected: [['possible_opt_out', { rule: 'phrase', language: 'en', evidence: 'please stop' }], ['incoming_message', { customer_id: null }]],
  },
  {
    name: 'a reply that is no request to stop: an incoming message only',
    state: state([]),
    body: 'Garret here',
    expected: [['incoming_message', { customer_id: null }]],
  },
  {
    name: 'opt-in while blacklisted: the blacklist is cleared and the opt-in recorded',
    state: state([profile('alice', T, T)], blocked),
    body: 'START',
    expected: [
      ['blacklist_cleared', { reason: 'opt_in_keyword', message_id: 'm1', at: T }],
      ['opted_in', { keyword: 'start', received_at: T }],
      ['incoming_message', { customer_id: 'alice' }],
    ],
  },
  {
    name: 'opt-in while not blacklisted: only the opt-in is recorded',
    state: state([]),
    body: 'start',
    settings: { trackIncoming: false },
    expected: [['opted_in', { keyword: 'start' }]],
  },
  {
    name: 'opt-in works while opt-out is disabled, lifting an old blacklist',
    state: state([], blocked),
    body: 'start',
    settings: { optOutEnabled: false, trackIncoming: false },
    expected: [['blacklist_cleared', { reason: 'opt_in_keyword' }], ['opted_in', {}]],
  },
  {
    name: 'a repeated opt-out while blacklisted re-blocks and unsubscribes the current profiles',
    state: state([profile('new-profile', null, T - 10)], { ...blocked, status: 'CONSENT_TRACKED' }),
    body: 'stop',
    settings: { trackIncoming: false },
    expected: [['blacklisted', { message_id: 'm1', blocked_at: T }], ['opted_out', { customer_ids: ['new-profile'] }]],
  },
  {
    name: 'a message id already processed: no facts at all',
    state: { ...state([profile('alice', T, T)]), processed: { m1: T } },
    body: 'STOP',
    expected: [],
  },
];

describe('decide', () => {
  it.each(rows)('$name', (row) => {
    const facts = decide(row.state, message(row.body), settings(row.settings));
    expect(facts.map((f) => f.type)).toEqual(row.expected.map(([type]) => type));
    row.expected.forEach(([type, fields], i) => {
      expect(facts[i], type).toMatchObject({ type, project: 'acme', phone: PHONE, ...fields });
    });
  });

  it('refuses settings of another project', () => {
    const other = { ...settings(), project: 'other' };
    expect(() => decide(emptyPhoneState(), message('stop'), other)).toThrow(/other/);
  });
});

describe('evolve', () => {
  it('blacklists on an opt-out and makes a redelivery of the same message a no-op', () => {
    const s = settings();
    const first = handleMessage(state([profile('alice', T, T)]), message('STOP'), s);
    expect(first.state.blacklist).toEqual({ status: 'BLOCKED', keyword: 'stop', message_id: 'm1', blocked_at: T, updated_at: T, source: 'keyword', actor: null, reason: null });
    expect(first.state.processed).toEqual({ m1: T });
    expect(handleMessage(first.state, message('STOP'), s)).toEqual({ state: first.state, facts: [] });
  });

  it('re-blocks with the newer opt-out after consent was tracked for the first', () => {
    const s = settings();
    let st = handleMessage(emptyPhoneState(), message('stop', 'm1', T), s).state;
    st = tracked(st, 'm1', T + 3_600_000);
    expect(st.blacklist).toMatchObject({ status: 'CONSENT_TRACKED', updated_at: T + 3_600_000 });
    st = handleMessage(st, message('ARRET', 'm2', T + 7_200_000), s).state;
    expect(st.blacklist).toEqual({ status: 'BLOCKED', keyword: 'arret', message_id: 'm2', blocked_at: T + 7_200_000, updated_at: T + 7_200_000, source: 'keyword', actor: null, reason: null });
    // The materializer finishing the first opt-out late must not hide that the second is pending.
    expect(decideConsentTracked(st, { project: 'acme', phone: PHONE, message_id: 'm1', at: T + 7_300_000 })).toEqual([]);
  });

  it('marks CONSENT_TRACKED only while the entry is BLOCKED by that opt-out; never after an opt-in cleared it', () => {
    const s = settings();
    const byM1 = handleMessage(emptyPhoneState(), message('stop', 'm1', T), s).state;
    expect(decideConsentTracked(byM1, { project: 'acme', phone: PHONE, message_id: 'm1', at: T + 10 }))
      .toEqual([{ type: 'consent_tracked', project: 'acme', phone: PHONE, message_id: 'm1', at: T + 10 }]);
    const cleared = handleMessage(byM1, message('start', 'm2', T + 5), s).state;
    expect(cleared.blacklist).toBeNull();
    expect(decideConsentTracked(cleared, { project: 'acme', phone: PHONE, message_id: 'm1', at: T + 10 })).toEqual([]);
    const done = tracked(byM1, 'm1', T + 10);
    expect(done.blacklist).toMatchObject({ status: 'CONSENT_TRACKED', message_id: 'm1', updated_at: T + 10 });
    expect(decideConsentTracked(done, { project: 'acme', phone: PHONE, message_id: 'm1', at: T + 20 })).toEqual([]);
  });

  it('clears the blacklist on an opt-in and publishes a tombstone', () => {
    const s = settings();
    const st = handleMessage(state([], blocked), message('start'), s).state;
    expect(st.blacklist).toBeNull();
    expect(blacklistEntryFor('acme', PHONE, st)).toBeNull();
    expect(blacklistEntryFor('acme', PHONE, state([], blocked))).toEqual({ project: 'acme', phone: PHONE, ...blocked });
  });

  it('keeps message ids that look like object properties as plain data', () => {
    const st = handleMessage(emptyPhoneState(), message('hi', '__proto__'), settings()).state;
    expect(Object.hasOwn(st.processed, '__proto__')).toBe(true);
    expect(decide(st, message('hi', '__proto__'), settings())).toEqual([]);
    expect(decide(emptyPhoneState(), message('hi', 'toString'), settings())).toHaveLength(1);
  });

  it('adds a message id as a copy, in insertion order, leaving the previous state as it was', () => {
    const before = { ...emptyPhoneState(), processed: { b: T - 2, '10': T - 1, __proto__x: T - 3 } };
    const after = handleMessage(before, message('hi', 'a', T), settings()).state;
    expect(before.processed).toEqual({ b: T - 2, '10': T - 1, __proto__x: T - 3 });
    expect(Object.entries(after.processed)).toEqual(Object.entries({ ...before.processed, a: T }));
    expect(Object.getPrototypeOf(after.processed)).toBe(Object.prototype);
    const again = handleMessage(after, message('hi', '__proto__', T + 1), settings()).state;
    expect(Object.entries(again.processed)).toEqual([...Object.entries(after.processed), ['__proto__', T + 1]]);
    expect(Object.getPrototypeOf(again.processed)).toBe(Object.prototype);
  });
});

describe('consent accept', () => {
  it('clears a blacklist when the accept is not older than the opt-out', () => {
    const facts = decideConsentAccept(state([], blocked), { project: 'acme', phone: PHONE, at: T });
    expect(facts).toEqual([{ type: 'blacklist_cleared', project: 'acme', phone: PHONE, reason: 'consent_accept', message_id: null, at: T }]);
    expect(facts.reduce(evolve, state([], blocked)).blacklist).toBeNull();
  });

  it('ignores an accept older than the opt-out (the later decision wins) and an accept with no blacklist', () => {
    expect(decideConsentAccept(state([], blocked), { project: 'acme', phone: PHONE, at: blocked.blocked_at - 1 })).toEqual([]);
    expect(decideConsentAccept(state([]), { project: 'acme', phone: PHONE, at: T })).toEqual([]);
  });
});

describe('pruneProcessed', () => {
  it('forgets message ids after 25 hours by default, keeping the recent ones', () => {
    const hour = 3_600_000;
    const st = { ...emptyPhoneState(), processed: { old: T - 26 * hour, edge: T - 25 * hour, fresh: T - hour } };
    expect(pruneProcessed(st, T).processed).toEqual({ edge: T - 25 * hour, fresh: T - hour });
    expect(pruneProcessed(st, T, hour).processed).toEqual({ fresh: T - hour });
    const kept = pruneProcessed(st, T - 30 * hour);
    expect(kept).toBe(st);
  });
});
