// evolve(state, fact) -> state: how each fact the core decides changes a phone's state.

import type { BlacklistState, Fact, PhoneState, ProfileRef } from './facts.ts';

function profileOf(state: PhoneState, customerId: string): ProfileRef | undefined {
  return state.profiles.find((p) => p.customer_id === customerId);
}

/** The state with `profile` replacing the one of its customer_id, or added at the end. */
function withProfile(state: PhoneState, profile: ProfileRef): PhoneState {
  const index = state.profiles.findIndex((p) => p.customer_id === profile.customer_id);
  const profiles = index < 0 ? [...state.profiles, profile] : state.profiles.map((p, i) => (i === index ? profile : p));
  return { ...state, profiles };
}

/**
 * An empty plain object that V8 keeps in dictionary mode. `processed` is keyed by message ids,
 * each one new: built as `{ ...processed, [id]: at }`, every object got a hidden class of its own
 * (a new map transition per id), which made that copy the costliest line of the matcher (~6 % of
 * its CPU, ~2.5x slower than copying into a dictionary object). Same prototype, keys and order.
 */
function dictionary(): Record<string, number> {
  const o: Record<string, number> = { a: 0, b: 0 };
  delete o.a;
  delete o.b;
  return o;
}

function processed(state: PhoneState, messageId: string | null, at: number): Record<string, number> {
  if (messageId === null || state.processed[messageId] === at) return state.processed;
  // As `{ ...state.processed, [messageId]: at }`: own data properties, also for a key like
  // `__proto__` (which an assignment would take for the prototype setter).
  const next = dictionary();
  for (const id in state.processed) if (Object.hasOwn(state.processed, id)) define(next, id, state.processed[id]!);
  define(next, messageId, at);
  return next;
}

function define(o: Record<string, number>, key: string, value: number): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  else o[key] = value;
}

/**
 * The state after a fact: the only way a PhoneState changes (the matcher stores what this
 * returns). Total over every fact type, so a new fact cannot be forgotten here.
 */
export function evolve(state: PhoneState, fact: Fact): PhoneState {
  switch (fact.type) {
    case 'blacklisted': {
      const at = fact.at ?? fact.blocked_at;
      const blacklist: BlacklistState = {
        status: 'BLOCKED', keyword: fact.keyword, message_id: fact.message_id,
        blocked_at: fact.blocked_at, updated_at: at,
        source: fact.source ?? 'keyword', actor: fact.actor ?? null, reason: fact.reason ?? null,
      };
      return { ...state, blacklist, processed: processed(state, fact.message_id, at) };
    }
    case 'blacklist_cleared':
      return { ...state, blacklist: null, processed: processed(state, fact.message_id, fact.at) };
    case 'opted_out':
    case 'opted_in':
    case 'incoming_message':
    case 'possible_opt_out':
      return { ...state, processed: processed(state, fact.message_id, fact.received_at) };
    case 'reply_decided':
      // A help reply may be the message's only effect: its id is remembered all the same.
      return { ...state, processed: processed(state, fact.intent.message_id, fact.intent.received_at) };
    case 'consent_tracked': {
      const b = state.blacklist;
      if (b === null) return state;
      return { ...state, blacklist: { ...b, status: 'CONSENT_TRACKED', updated_at: Math.max(b.updated_at, fact.at) } };
    }
    case 'profile_updated': {
      const existing = profileOf(state, fact.customer_id);
      return withProfile(state, { customer_id: fact.customer_id, last_sent_at: existing?.last_sent_at ?? null, updated_at: fact.updated_at });
    }
    case 'profile_removed':
      return { ...state, profiles: state.profiles.filter((p) => p.customer_id !== fact.customer_id) };
    case 'sms_sent': {
      const existing = profileOf(state, fact.customer_id);
      return withProfile(state, { customer_id: fact.customer_id, last_sent_at: fact.sent_at, updated_at: existing?.updated_at ?? null });
    }
  }
}

