// The profiles that share a phone: which ones an opt-out unsubscribes, which one an incoming
// message is attributed to, and how `customers.v1` and `sms.sent.v1` records update them.

import type { PhoneState, ProfileRef } from './facts.ts';

/** The product page's limit: at most 10 profiles with one phone are unsubscribed. */
export const MAX_PROFILES_TO_UNSUBSCRIBE = 10;

function newerFirst(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return b - a;
}

/**
 * Most recently active first: last SMS sent to the profile, then last profile update (missing
 * times last), then customer_id so that the order, and every fact built from it, is deterministic.
 */
export function byRecentActivity(a: ProfileRef, b: ProfileRef): number {
  return (
    newerFirst(a.last_sent_at, b.last_sent_at) ||
    newerFirst(a.updated_at, b.updated_at) ||
    (a.customer_id < b.customer_id ? -1 : a.customer_id > b.customer_id ? 1 : 0)
  );
}

/** The customer_ids an opt-out unsubscribes: the most recently active, at most `max`. */
export function selectProfilesToUnsubscribe(profiles: readonly ProfileRef[], max = MAX_PROFILES_TO_UNSUBSCRIBE): string[] {
  return [...profiles].sort(byRecentActivity).slice(0, max).map((p) => p.customer_id);
}

/**
 * The one profile an incoming message is tracked to: the one that received the project's last
 * SMS to this phone, else the most recently updated, else (no times at all) the first by
 * customer_id; null without profiles.
 */
export function attributeIncomingMessage(profiles: readonly ProfileRef[]): string | null {
  let best: ProfileRef | undefined;
  for (const p of profiles) if (best === undefined || byRecentActivity(p, best) < 0) best = p;
  return best?.customer_id ?? null;
}

/** A `customers.v1` record as the matcher sees it; `phone` canonical or null. */
export interface CustomerProfileUpdate {
  customer_id: string;
  phone: string | null;
  updated_at: number;
  deleted: boolean;
}

/**
 * Applies a profile record to the state of `phone`. The profile is added or updated when it
 * has this phone, and removed when it was deleted or now has another phone (the caller applies
 * the record to the old phone's state too). A record older than the one already applied is
 * ignored, so replays and reordering do not resurrect stale data.
 */
export function applyCustomerProfile(state: PhoneState, update: CustomerProfileUpdate, phone: string): PhoneState {
  const index = state.profiles.findIndex((p) => p.customer_id === update.customer_id);
  const existing = index < 0 ? undefined : state.profiles[index]!;
  if (existing?.updated_at != null && update.updated_at < existing.updated_at) return state;
  const belongs = !update.deleted && update.phone === phone;
  if (!belongs) {
    return existing === undefined ? state : { ...state, profiles: state.profiles.filter((_, i) => i !== index) };
  }
  const profile: ProfileRef = { customer_id: update.customer_id, last_sent_at: existing?.last_sent_at ?? null, updated_at: update.updated_at };
  return { ...state, profiles: replaceAt(state.profiles, index, profile) };
}

/** An `sms.sent.v1` record for this phone. */
export interface SmsSentUpdate {
  customer_id: string;
  sent_at: number;
}

/**
 * Records that the project sent an SMS to a profile on this phone. A send also proves the
 * profile has the phone, so an unknown profile is added (its update time unknown) rather than
 * waiting for `customers.v1`.
 */
export function applySmsSent(state: PhoneState, sent: SmsSentUpdate): PhoneState {
  const index = state.profiles.findIndex((p) => p.customer_id === sent.customer_id);
  const existing = index < 0 ? undefined : state.profiles[index]!;
  if (existing?.last_sent_at != null && existing.last_sent_at >= sent.sent_at) return state;
  const profile: ProfileRef = { customer_id: sent.customer_id, last_sent_at: sent.sent_at, updated_at: existing?.updated_at ?? null };
  return { ...state, profiles: replaceAt(state.profiles, index, profile) };
}

function replaceAt(profiles: readonly ProfileRef[], index: number, profile: ProfileRef): ProfileRef[] {
  return index < 0 ? [...profiles, profile] : profiles.map((p, i) => (i === index ? profile : p));
}
