// Inputs keyed by something other than the phone, re-keyed by phone onto internal topics that
// are co-partitioned with the replies (as Kafka Streams' repartition topics).

import type { Codec } from '@optline/kafka';
import type { ConsentEvent, CustomerProfile } from '@optline/schemas';
import type { MatcherMetrics } from './metrics.ts';
import { canonicalField, requireKey, stateOf, type RecordHandler } from './processing.ts';
import type { ConsentGroup, CustomersGroup, HandlersOf } from './topology.ts';


/** What the customer-phone store remembers of a profile: where its last record was routed. */
export interface CustomerPhone {
  phone: string;
  updated_at: number;
}

export interface RepartitionDeps {
  codec: Codec;
  metrics: MatcherMetrics;
}

/** The customer-phone store key: customer ids are unique within a project only. */
export function customerKey(project: string, customerId: string): string {
  return `${project}:${customerId}`;
}

/**
 * customers.v1 -> customers-by-phone. A profile record goes to its phone's partition and, when
 * the profile had another phone before (or was deleted), also to the old phone's, where the
 * core removes it from that phone's index. The previous phone comes from the customer-phone
 * store. A record older than the one last routed is not routed: it would move the profile
 * back to a phone it has left.
 */
export function customerHandlers(deps: RepartitionDeps): HandlersOf<CustomersGroup, CustomerPhone> {
  const customers: RecordHandler<CustomerPhone, { key: string; profile: CustomerProfile; phone: string | null }, CustomersGroup['outputs']> = {
    async parse(record) {
      const profile = await deps.codec.decode<CustomerProfile>('CustomerProfile', record.message.value);
      requireKey(record, profile.customer_id, 'key_not_customer_id', 'the customer_id');
      const phone = profile.phone === null ? null : canonicalField(profile.phone, 'phone');
      const key = customerKey(profile.project, profile.customer_id);
      return { value: { key, profile, phone }, keys: [key] };
    },
    async apply({ key, profile, phone }, ctx) {
      const store = stateOf(ctx);
      const previous = await store.get(key);
      if (previous && profile.updated_at < previous.updated_at) {
        deps.metrics.skipped.inc({ reason: 'superseded_profile_update' });
        return;
      }
      const current = profile.deleted ? null : phone;
      const targets = [current, previous?.phone ?? null].filter((p, i, all): p is string => p !== null && all.indexOf(p) === i);
      if (targets.length === 0) deps.metrics.skipped.inc({ reason: 'profile_without_phone' });
      for (const target of targets) ctx.out.customersByPhone.send(target, { ...profile, phone });
      if (current !== null) store.set(key, { phone: current, updated_at: profile.updated_at });
      else if (previous) store.delete(key);
    },
  };
  return { customers };
}

/**
 * tracking.consent.v1 -> consent-accepts-by-phone: only `accept` events that identify a phone
 * concern the matcher (they lift that phone's blacklist). The record is forwarded unchanged,
 * re-keyed by the canonical phone.
 */
export function consentHandlers(deps: RepartitionDeps): HandlersOf<ConsentGroup, never> {
  const consent: RecordHandler<never, { phone: string; value: Buffer }, ConsentGroup['outputs']> = {
    async parse(record) {
      const event = await deps.codec.decode<ConsentEvent>('ConsentEvent', record.message.value);
      if (event.action !== 'accept') {
        deps.metrics.skipped.inc({ reason: 'consent_not_accept' });
        return null;
      }
      if (event.identification_type !== 'phone') {
        deps.metrics.skipped.inc({ reason: 'consent_accept_not_by_phone' });
        return null;
      }
      return { value: { phone: canonicalField(event.identification, 'identification'), value: record.message.value! }, keys: [] };
    },
    async apply({ phone, value }, ctx) {
      ctx.out.acceptsByPhone.send(phone, value);
    },
  };
  return { consent };
}
