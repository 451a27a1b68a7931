// What the matcher reads, stores and writes, as data: each task group's inputs, store and
// outputs. A handler gets sinks for its own group's outputs only (`ctx.out.<name>`), and each
// group needs a handler for every input it declares (`HandlersOf`), so adding an input or an
// output is a line here plus a handler. The README's diagram is checked against these
// declarations (test/topology-diagram.test.ts).
//
//   settings (SmsSettings, compacted): read whole by every instance (SettingsTable), not by a task
//   every group: bad input -> dead-letter topic (reason in headers); outputs, changelog records
//   and the input offsets in one transaction per task (transactional id per task).

import type { OptlineConfig } from '@optline/runtime';
import { avroOutput, bytesOutput, groupId, topics, type Outputs } from '@optline/kafka';
import type { BlacklistChange, BlacklistEntry, MatcherFactRecord, PhoneState, PossibleOptOutRecord, ReplyIntent } from '@optline/core';
import type { ValueSerde } from '@optline/state-store';
import type { Codec } from '@optline/kafka';
import type { MatcherMetrics } from './metrics.ts';
import { phoneHandlers, type SettingsLookup } from './phones.ts';
import type { RecordHandler, TaskGroup } from './processing.ts';
import type { CustomerProfile } from '@optline/schemas';
import { consentHandlers, customerHandlers, type CustomerPhone } from './repartition.ts';

/** A task group as declared: input names -> topics, the store and its changelog, output names -> outputs. */
export interface GroupDeclaration {
  inputs: Readonly<Record<string, string>>;
  store?: { name: string; changelog: string; record: string };
  outputs: Outputs;
}

export function matcherTopology(config: Pick<OptlineConfig, 'topicNamespace'>) {
  const t = topics(config.topicNamespace);
  const group = groupId(config.topicNamespace, 'optline.matcher');
  return {
    topics: t,
    groupId: group,
    /** Read whole by every instance, not partitioned into tasks. */
    tables: { settings: t.settings.name },
    deadLetter: t.deadLetter.name,
    groups: {
      /** customers.v1 (keyed customer_id) -> re-keyed by the new phone, and the old one. */
      customers: {
        inputs: { customers: t.customers.name },
        store: { name: 'customer-phone', changelog: t.customerPhoneChangelog.name, record: 'CustomerPhone' },
        outputs: { customersByPhone: avroOutput<CustomerProfile>(t.customersByPhone) },
      },
      /** tracking.consent.v1 accepts by phone -> re-keyed by phone, forwarded as they are. */
      consent: {
        inputs: { consent: t.consent.name },
        outputs: { acceptsByPhone: bytesOutput(t.acceptsByPhone) },
      },
      /** Everything keyed by the canonical phone: the phone's state, the blacklist (only writer), facts. */
      phones: {
        inputs: {
          inbound: t.inbound.name, sent: t.sent.name, customersByPhone: t.customersByPhone.name,
          acceptsByPhone: t.acceptsByPhone.name, consentTracked: t.consentTracked.name,
          /** Opt-out list changes from the API (manual, import). */
          blacklistCommands: t.blacklistCommands.name,
        },
        store: { name: 'phone-state', changelog: t.phoneStateChangelog.name, record: 'PhoneState' },
        outputs: {
          blacklist: avroOutput<BlacklistEntry>(t.blacklist),
          /** A BlacklistChange per change of an entry, keyed <project>:<phone>. */
          blacklistHistory: avroOutput<BlacklistChange>(t.blacklistHistory),
          facts: avroOutput<MatcherFactRecord>(t.facts),
          /** ReplyIntent, keyed <project>:<phone>: the automatic replies, for the replier. */
          replies: avroOutput<ReplyIntent>(t.replies),
          /** PossibleOptOut, keyed <project>:<id>: the review queue (possibleOptOuts: flag). */
          possibleOptOuts: avroOutput<PossibleOptOutRecord>(t.possibleOptOuts),
        },
      },
    },
    /** One transactional id per task: whoever opens the task next fences the previous owner. */
    transactionalId: (taskId: string) => `${group}.${taskId}`,
  } satisfies { groups: Record<string, GroupDeclaration> } & Record<string, unknown>;
}

export type MatcherTopology = ReturnType<typeof matcherTopology>;
export type CustomersGroup = MatcherTopology['groups']['customers'];
export type ConsentGroup = MatcherTopology['groups']['consent'];
export type PhonesGroup = MatcherTopology['groups']['phones'];
export type PhoneOutputs = PhonesGroup['outputs'];

/**
 * A handler for each declared input of group `G`, writing to `G`'s outputs only. (What `parse`
 * hands to `apply` is each handler's own business: `any` here, checked inside the handler.)
 */
export type HandlersOf<G extends GroupDeclaration, S> = { readonly [K in keyof G['inputs']]: RecordHandler<S, any, G['outputs']> };

/** A declared group with its handlers, as the runtime processes it. */
export function taskGroup<S, G extends GroupDeclaration>(name: string, declared: G, handlers: HandlersOf<G, S>, serde?: ValueSerde<S>): TaskGroup<S, G['outputs']> {
  const byTopic = new Map(Object.entries(declared.inputs).map(([input, topic]) => [topic, handlers[input as keyof G['inputs']] as RecordHandler<S, unknown, G['outputs']>]));
  const store = declared.store && serde ? { name: declared.store.name, changelog: declared.store.changelog, serde } : undefined;
  return { name, inputs: Object.values(declared.inputs), outputs: declared.outputs, handlers: byTopic, ...(store ? { store } : {}) };
}

/** The task groups with their handlers and store serdes. */
export function taskGroups(topology: MatcherTopology, deps: { codec: Codec; settings: SettingsLookup; metrics: MatcherMetrics }): TaskGroup[] {
  const { groups } = topology;
  // Synchronous once the changelog's encoder and the stored schema are known: no promise a change.
  const serde = <V>(store: { changelog: string; record: string }): ValueSerde<V> => {
    let encoder: ((value: unknown) => Buffer) | undefined;
    return {
      encode: (value) => encoder?.(value) ?? deps.codec.serde.encoderFor(store.changelog).then((e) => (encoder = e)(value)),
      decode: (bytes) => deps.codec.decodeKnown<V>(store.record, bytes) ?? deps.codec.decode<V>(store.record, bytes),
    };
  };
  return [
    taskGroup<CustomerPhone, CustomersGroup>('customers', groups.customers, customerHandlers(deps), serde(groups.customers.store)),
    taskGroup<never, ConsentGroup>('consent', groups.consent, consentHandlers(deps)),
    taskGroup<PhoneState, PhonesGroup>('phones', groups.phones, phoneHandlers(deps), serde(groups.phones.store)),
  ] as TaskGroup[];
}
