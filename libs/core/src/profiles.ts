// The profiles that share a phone: which ones an opt-out unsubscribes, which one an incoming
// message is attributed to, and what `customers.v1` and `sms.sent.v1` records decide for them
// (evolve.ts applies those facts).

import type { Fact, PhoneState, ProfileRef } from './facts.ts';

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
  project: string;
  customer_id: string;
  phone: string | null;
  updated_at: number;
  deleted: boolean;
}

/**
 * What a profile record means for the index of `phone`: the profile is added or updated when it
 * has this phone, and removed when it was deleted or now has another phone (the caller decides
 * the record for the old phone's state too). A record older than the one already applied
 * decides nothing, so replays and reordering do not resurrect stale data.
 */
export function decideCustomerProfile(state: PhoneState, update: CustomerProfileUpdate, phone: string): Fact[] {
  const existing = state.profiles.find((p) => p.customer_id === update.customer_id);
  if (existing?.updated_at != null && update.updated_at < existing.updated_at) return [];
  const { project, customer_id } = update;
  if (!update.deleted && update.phone === phone) return [{ type: 'profile_updated', project, phone, customer_id, updated_at: update.updated_at }];
  return existing === undefined ? [] : [{ type: 'profile_removed', project, phone, customer_id }];
}

/** An `sms.sent.v1` record for this phone. */
export interface SmsSentUpdate {
  project: string;
  customer_id: string;
  sent_at: number;
}

/**
 * The project sent an SMS to a profile on this phone. A send also proves the profile has the
 * phone, so an unknown profile is added (its update time unknown) rather than waiting for
 * `customers.v1`. A send older than the last one known decides nothing.
 */
export function decideSmsSent(state: PhoneState, sent: SmsSentUpdate, phone: string): Fact[] {
  const existing = state.profiles.find((p) => p.customer_id === sent.customer_id);
  if (existing?.last_sent_at != null && existing.last_sent_at >= sent.sent_at) return [];
  return [{ type: 'sms_sent', project: sent.project, phone, customer_id: sent.customer_id, sent_at: sent.sent_at }];
}
