// The decision for one phone of one project, as pure functions over explicit state:
// decide(state, input) -> facts, evolve(state, fact) -> state. The matcher service stores the
// state per (project, phone), runs decide for each input and folds the facts back with evolve.

import { compiledSettings, type CompiledSettings } from './compiled-settings.ts';
import type { BlacklistEntry, Fact, InboundMessage, PhoneState } from './facts.ts';
import { evolve } from './evolve.ts';
import { decidePossibleOptOut } from './possible/decision.ts';
import { attributeIncomingMessage, selectProfilesToUnsubscribe } from './profiles.ts';
import type { SmsSettings } from './settings.ts';

function compiled(settings: SmsSettings | CompiledSettings): CompiledSettings {
  return 'match' in settings ? settings : compiledSettings(settings);
}

/**
 * The facts one inbound message causes, in the order they should be published: the blacklist
 * first (it must be visible at once), then the opt-out or opt-in, then the incoming message.
 *
 * - A message id already processed causes nothing (Sinch retries for about 23 hours).
 * - Opt-out keyword while `optOutEnabled`: `blacklisted` and `opted_out`. A repeated opt-out
 *   while already blacklisted does the same again: its profiles may have changed and its consent
 *   events are owed, so the entry goes back to BLOCKED with the new message, keyword and time.
 * - Opt-in keyword: `blacklist_cleared` if the phone is blacklisted, and `opted_in` always.
 * - No keyword: a possible opt-out per `possibleOptOuts` (possible/decision.ts): `flag` gives
 *   `possible_opt_out` (the review queue), `blacklist` the opt-out facts with the detector's reason.
 * - `trackIncoming`: `incoming_message` for every message, keyword or not.
 */
export function decide(state: PhoneState, message: InboundMessage, settings: SmsSettings | CompiledSettings): Fact[] {
  const c = compiled(settings);
  if (c.settings.project !== message.project) {
    throw new Error(`decide: message for project ${message.project} decided with settings of ${c.settings.project}`);
  }
  if (Object.hasOwn(state.processed, message.message_id)) return [];

  const { project, message_id, received_at, body } = message;
  const phone = message.from;
  const facts: Fact[] = [];
  const hit = c.match(body);
  if (hit?.kind === 'opt_out') {
    facts.push({ type: 'blacklisted', project, phone, keyword: hit.keyword, message_id, blocked_at: received_at });
    facts.push({
      type: 'opted_out', project, phone, message_id, keyword: hit.keyword, received_at, body,
      sender: message.from, recipient: message.to,
      customer_ids: selectProfilesToUnsubscribe(state.profiles),
      categories: [...c.settings.consentCategories],
    });
  } else if (hit?.kind === 'opt_in') {
    if (state.blacklist !== null) {
      facts.push({ type: 'blacklist_cleared', project, phone, reason: 'opt_in_keyword', message_id, at: received_at });
    }
    facts.push({
      type: 'opted_in', project, phone, message_id, keyword: hit.keyword, received_at, body,
      sender: message.from, recipient: message.to,
      customer_ids: selectProfilesToUnsubscribe(state.profiles),
      categories: [...c.settings.consentCategories],
    });
  } else if (hit === null) {
    facts.push(...decidePossibleOptOut(state, message, c.settings));
  }
  if (c.settings.trackIncoming) {
    facts.push({
      type: 'incoming_message', project, phone, message_id, received_at, body,
      sender: message.from, recipient: message.to,
      customer_id: attributeIncomingMessage(state.profiles),
    });
  }
  return facts;
}

/** decide then evolve, for callers that want both. */
export function handleMessage(state: PhoneState, message: InboundMessage, settings: SmsSettings | CompiledSettings): { state: PhoneState; facts: Fact[] } {
  const facts = decide(state, message, settings);
  return { state: facts.reduce(evolve, state), facts };
}

export interface ConsentAccept {
  project: string;
  phone: string;
  /** When the consent accept was given (the consent event's timestamp). */
  at: number;
}

/**
 * An explicit consent `accept` for the phone lifts its blacklist. The later decision wins: an
 * accept older than the opt-out that blocked the phone (a late or replayed event) does not.
 */
export function decideConsentAccept(state: PhoneState, accept: ConsentAccept): Fact[] {
  if (state.blacklist === null || accept.at < state.blacklist.blocked_at) return [];
  return [{ type: 'blacklist_cleared', project: accept.project, phone: accept.phone, reason: 'consent_accept', message_id: null, at: accept.at }];
}

export interface ConsentTracked {
  project: string;
  phone: string;
  /** The opt-out whose consent events were tracked. */
  message_id: string;
  at: number;
}

/**
 * The materializer tracked the consent events of opt-out `message_id`: the entry becomes
 * CONSENT_TRACKED only while it is still BLOCKED by that opt-out. An entry cleared meanwhile
 * (opt-in keyword, consent accept) stays cleared; one re-blocked by a newer opt-out waits for
 * that opt-out's events. Decided here, in order with everything else that changes the phone,
 * so a notice that arrives after an opt-in can never bring the entry back.
 */
export function decideConsentTracked(state: PhoneState, tracked: ConsentTracked): Fact[] {
  const b = state.blacklist;
  if (b === null || b.message_id !== tracked.message_id || b.status !== 'BLOCKED') return [];
  return [{ type: 'consent_tracked', project: tracked.project, phone: tracked.phone, message_id: tracked.message_id, at: tracked.at }];
}

/** Sinch retries a callback for about 23 hours; remembering message ids for 25 leaves a margin. */
export const PROCESSED_RETENTION_MS = 25 * 60 * 60 * 1000;

/** Forgets message ids received more than `keepMs` before `now`. */
export function pruneProcessed(state: PhoneState, now: number, keepMs = PROCESSED_RETENTION_MS): PhoneState {
  const cutoff = now - keepMs;
  // Runs on every state write: look first, allocate only when something is forgotten.
  let expired = false;
  for (const id in state.processed) {
    if (!(state.processed[id]! >= cutoff)) {
      expired = true;
      break;
    }
  }
  if (!expired) return state;
  const kept = Object.entries(state.processed).filter(([, at]) => at >= cutoff);
  if (kept.length === Object.keys(state.processed).length) return state;
  return { ...state, processed: Object.fromEntries(kept) };
}

/** The `sms.blacklist.v1` value for this state, or null (a tombstone) when not blacklisted. */
export function blacklistEntryFor(project: string, phone: string, state: PhoneState): BlacklistEntry | null {
  return state.blacklist === null ? null : { project, phone, ...state.blacklist };
}

/** The `sms.blacklist.v1` key. */
export function blacklistKey(project: string, phone: string): string {
  return `${project}:${phone}`;
}
