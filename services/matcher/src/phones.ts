// The phone-state task group: everything the matcher knows about one (project, phone) lives
// in one partition, because all four inputs are keyed by the canonical phone.

import {
  applyCustomerProfile, applySmsSent, blacklistEntryFor, blacklistKey, compiledSettings, decideConsentAccept,
  emptyPhoneState, evolve, handleMessage, pruneProcessed, type CompiledSettings, type InboundMessage, type PhoneState, type SmsSettings,
} from '@optline/core';
import type { Topics } from '@optline/kafka';
import type { PendingWrites } from '@optline/state-store';
import type { Codec } from './codec.ts';
import { matcherFactRecord } from './fact-records.ts';
import type { MatcherMetrics } from './metrics.ts';
import { canonicalField, dedicatedNumberField, RecordRejected, requireKey, stateOf, type RecordHandler, type TaskContext } from './processing.ts';

interface InboundSmsRecord { id: string; type: string; from: string; to: string; body: string; received_at: number }
interface SmsSentRecord { project: string; customer_id: string; phone: string; sent_at: number }
interface CustomerProfileRecord { project: string; customer_id: string; phone: string | null; updated_at: number; deleted: boolean }
interface ConsentEventRecord { project: string; timestamp: number; action: string; identification: string; identification_type: string }

/** The settings of every project (the settings table, read whole by every instance). */
export interface SettingsLookup {
  ownerOfNumber(number: string): string | undefined;
  get(project: string): SmsSettings | undefined;
}

export interface PhoneDeps {
  codec: Codec;
  topics: Topics;
  settings: SettingsLookup;
  metrics: MatcherMetrics;
}

type Ctx = TaskContext<PhoneState>;

/** The store key of a (project, phone): the same as its blacklist and facts records. */
export const phoneStateKey = blacklistKey;

function isEmpty(state: PhoneState): boolean {
  return state.profiles.length === 0 && state.blacklist === null && Object.keys(state.processed).length === 0;
}

async function load(state: PendingWrites<PhoneState>, key: string): Promise<PhoneState> {
  return (await state.get(key)) ?? emptyPhoneState();
}

function save(ctx: Ctx, key: string, before: PhoneState, after: PhoneState): void {
  if (after === before) return;
  const pruned = pruneProcessed(after, ctx.now);
  if (isEmpty(pruned)) stateOf(ctx).delete(key);
  else stateOf(ctx).set(key, pruned);
}

async function emitBlacklist(ctx: Ctx, deps: PhoneDeps, project: string, phone: string, before: PhoneState, after: PhoneState): Promise<void> {
  if (after.blacklist === before.blacklist) return;
  const entry = blacklistEntryFor(project, phone, after);
  const topic = deps.topics.blacklist.name;
  ctx.emit({ topic, key: blacklistKey(project, phone), value: entry === null ? null : await deps.codec.encode(topic, entry) });
}

function inbound(deps: PhoneDeps): RecordHandler<PhoneState, { key: string; message: InboundMessage; settings: CompiledSettings }> {
  return {
    async parse(record) {
      const sms = await deps.codec.decode<InboundSmsRecord>('InboundSms', record.message.value);
      const from = canonicalField(sms.from, 'from');
      requireKey(record, from, 'key_not_sender_phone', 'the canonical sender phone');
      const to = dedicatedNumberField(sms.to);
      const project = deps.settings.ownerOfNumber(to);
      const stored = project === undefined ? undefined : deps.settings.get(project);
      if (project === undefined || stored === undefined) {
        throw new RecordRejected('unknown_dedicated_number', 'to', `to: no project owns the dedicated number ${to}`);
      }
      // Taken now: a settings record read while the chunk's state loads applies to the next chunk.
      const settings = compiledSettings(stored);
      const message: InboundMessage = { message_id: sms.id, project, from, to, body: sms.body, received_at: sms.received_at };
      const key = phoneStateKey(project, from);
      return { value: { key, message, settings }, keys: [key] };
    },
    async apply({ key, message, settings }, ctx) {
      const before = await load(stateOf(ctx), key);
      const { state: after, facts } = handleMessage(before, message, settings);
      if (facts.length === 0) {
        if (Object.hasOwn(before.processed, message.message_id)) deps.metrics.duplicates.inc();
        return;
      }
      // Blacklist first: it has to be visible at once (and the transaction makes both visible together).
      await emitBlacklist(ctx, deps, message.project, message.from, before, after);
      for (const fact of facts) {
        deps.metrics.facts.inc({ type: fact.type });
        const record = matcherFactRecord(fact, ctx.now);
        if (record) ctx.emit({ topic: deps.topics.facts.name, key: key, value: await deps.codec.encode(deps.topics.facts.name, record) });
      }
      save(ctx, key, before, after);
    },
  };
}

function sent(deps: PhoneDeps): RecordHandler<PhoneState, { key: string; sent: SmsSentRecord }> {
  return {
    async parse(record) {
      const sent = await deps.codec.decode<SmsSentRecord>('SmsSent', record.message.value);
      const phone = canonicalField(sent.phone, 'phone');
      requireKey(record, phone, 'key_not_phone', 'the canonical phone');
      const key = phoneStateKey(sent.project, phone);
      return { value: { key, sent }, keys: [key] };
    },
    async apply({ key, sent }, ctx) {
      const before = await load(stateOf(ctx), key);
      save(ctx, key, before, applySmsSent(before, { customer_id: sent.customer_id, sent_at: sent.sent_at }));
    },
  };
}

/** Profiles repartitioned by phone: the key is the phone whose index the record concerns. */
function profiles(deps: PhoneDeps): RecordHandler<PhoneState, { key: string; phone: string; profile: CustomerProfileRecord }> {
  return {
    async parse(record) {
      const profile = await deps.codec.decode<CustomerProfileRecord>('CustomerProfile', record.message.value);
      const phone = canonicalField(record.message.key?.toString('utf8') ?? '', 'key');
      const key = phoneStateKey(profile.project, phone);
      return { value: { key, phone, profile }, keys: [key] };
    },
    async apply({ key, phone, profile }, ctx) {
      const before = await load(stateOf(ctx), key);
      const update = { customer_id: profile.customer_id, phone: profile.phone, updated_at: profile.updated_at, deleted: profile.deleted };
      save(ctx, key, before, applyCustomerProfile(before, update, phone));
    },
  };
}

/** Consent accepts repartitioned by phone. */
function accepts(deps: PhoneDeps): RecordHandler<PhoneState, { key: string; phone: string; accept: ConsentEventRecord }> {
  return {
    async parse(record) {
      const accept = await deps.codec.decode<ConsentEventRecord>('ConsentEvent', record.message.value);
      const phone = canonicalField(record.message.key?.toString('utf8') ?? '', 'key');
      const key = phoneStateKey(accept.project, phone);
      return { value: { key, phone, accept }, keys: [key] };
    },
    async apply({ key, phone, accept }, ctx) {
      const before = await load(stateOf(ctx), key);
      const facts = decideConsentAccept(before, { project: accept.project, phone, at: accept.timestamp });
      for (const fact of facts) deps.metrics.facts.inc({ type: fact.type });
      const after = facts.reduce(evolve, before);
      await emitBlacklist(ctx, deps, accept.project, phone, before, after);
      save(ctx, key, before, after);
    },
  };
}

export function phoneHandlers(deps: PhoneDeps): Map<string, RecordHandler<PhoneState, unknown>> {
  const t = deps.topics;
  return new Map<string, RecordHandler<PhoneState, unknown>>([
    [t.inbound.name, inbound(deps)],
    [t.sent.name, sent(deps)],
    [t.customersByPhone.name, profiles(deps)],
    [t.acceptsByPhone.name, accepts(deps)],
  ]);
}
