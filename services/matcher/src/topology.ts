// What the matcher reads and writes, in one place.
//
//   settings (SmsSettings, compacted)  -> read whole by every instance (SettingsTable) -> dedicated
//                                         number routing, compiled keyword matchers
//
//   task group "customers"  (partition N of customers.v1; store customer-phone, changelog)
//     customers.v1 (keyed customer_id)  -> customers-by-phone (keyed by the new phone, and the old one)
//
//   task group "consent"    (partition N of tracking.consent.v1; stateless)
//     tracking.consent.v1 (accept by phone) -> consent-accepts-by-phone (keyed by phone)
//
//   task group "phones"     (partition N of the five phone-keyed topics; store phone-state, changelog)
//     sms.inbound.v1, sms.sent.v1, customers-by-phone, consent-accepts-by-phone,
//     optline.consent-tracked.v1 (from the materializer), optline.blacklist-commands.v1 (from the api)
//       -> sms.blacklist.v1 (<project>:<phone>, at once; null clears; the only writer)
//       -> optline.blacklist-history.v1 (BlacklistChange per change of an entry, keyed <project>:<phone>)
//       -> optline.facts.v1 (MatcherFact, keyed <project>:<phone>)
//       -> optline.replies.v1 (ReplyIntent, keyed <project>:<phone>: the automatic replies, for the replier)
//
//   every group: bad input -> dead-letter topic (reason in headers); outputs, changelog records
//   and the input offsets in one transaction per task (transactional id per task).

import type { OptlineConfig } from '@optline/runtime';
import { groupId, topics } from '@optline/kafka';
import type { PhoneState } from '@optline/core';
import type { ValueSerde } from '@optline/state-store';
import type { Codec } from './codec.ts';
import type { MatcherMetrics } from './metrics.ts';
import { phoneHandlers, type SettingsLookup } from './phones.ts';
import type { TaskGroup } from './processing.ts';
import { consentHandlers, customerHandlers, type CustomerPhone } from './repartition.ts';

export function matcherTopology(config: Pick<OptlineConfig, 'topicNamespace'>) {
  const t = topics(config.topicNamespace);
  const group = groupId(config.topicNamespace, 'optline.matcher');
  return {
    topics: t,
    groupId: group,
    settings: t.settings.name,
    deadLetter: t.deadLetter.name,
    groups: {
      customers: { inputs: [t.customers.name], store: 'customer-phone', changelog: t.customerPhoneChangelog.name },
      consent: { inputs: [t.consent.name] },
      phones: { inputs: [t.inbound.name, t.sent.name, t.customersByPhone.name, t.acceptsByPhone.name, t.consentTracked.name, t.blacklistCommands.name], store: 'phone-state', changelog: t.phoneStateChangelog.name },
    },
    /** One transactional id per task: whoever opens the task next fences the previous owner. */
    transactionalId: (taskId: string) => `${group}.${taskId}`,
  };
}

export type MatcherTopology = ReturnType<typeof matcherTopology>;

/** The task groups with their handlers and store serdes. */
export function taskGroups(topology: MatcherTopology, deps: { codec: Codec; settings: SettingsLookup; metrics: MatcherMetrics }): TaskGroup[] {
  const { topics: t, groups } = topology;
  const serde = <V>(topic: string, record: string): ValueSerde<V> => ({
    encode: (value) => deps.codec.encode(topic, value),
    decode: (bytes) => deps.codec.decode<V>(record, bytes),
  });
  const customers: TaskGroup<CustomerPhone> = {
    name: 'customers',
    inputs: groups.customers.inputs,
    store: { name: groups.customers.store, changelog: groups.customers.changelog, serde: serde(groups.customers.changelog, 'CustomerPhone') },
    handlers: customerHandlers({ ...deps, topics: t }),
  };
  const consent: TaskGroup<never> = { name: 'consent', inputs: groups.consent.inputs, handlers: consentHandlers({ ...deps, topics: t }) };
  const phones: TaskGroup<PhoneState> = {
    name: 'phones',
    inputs: groups.phones.inputs,
    store: { name: groups.phones.store, changelog: groups.phones.changelog, serde: serde(groups.phones.changelog, 'PhoneState') },
    handlers: phoneHandlers({ ...deps, topics: t }),
  };
  return [customers, consent, phones] as TaskGroup[];
}
