// The phone-state task group: everything the matcher knows about one (project, phone) lives
// in one partition, because all its inputs are keyed by the canonical phone. Every handler
// decides with the core and folds the facts in with `evolve`: no state change happens here.

import {
  blacklistChanges, blacklistEntryFor, blacklistKey, compiledSettings, decide, decideBlacklistCommand, decideConsentAccept, decideConsentTracked, decideCustomerProfile,
  decideReply, decideSmsSent, emptyPhoneState, evolve, possibleOptOutKey, possibleOptOutRecord, pruneProcessed, replyDecided, replyKey,
  type BlacklistCommand, type CompiledSettings, type Fact, type InboundMessage, type PhoneState, type SmsSettings,
} from '@optline/core';
import type { ConsentEvent as ConsentEventRecord, ConsentTracked, CustomerProfile, InboundSms, SmsSent } from '@optline/schemas';
import type { PendingWrites } from '@optline/state-store';
import type { Codec } from '@optline/kafka';
import { matcherFactRecord } from './fact-records.ts';
import type { MatcherMetrics } from './metrics.ts';
import { canonicalField, dedicatedNumberField, RecordRejected, requireKey, stateOf, andThen, type InputRecord, type MaybePromise, type RecordHandler, type TaskContext } from './processing.ts';
import type { HandlersOf, PhoneOutputs, PhonesGroup } from './topology.ts';


/** The settings of every project (the settings table, read whole by every instance). */
export interface SettingsLookup {
  ownerOfNumber(number: string): string | undefined;
  get(project: string): SmsSettings | undefined;
}

export interface PhoneDeps {
  codec: Codec;
  settings: SettingsLookup;
  metrics: MatcherMetrics;
}

type Ctx = TaskContext<PhoneState, PhoneOutputs>;
type Handler<T> = RecordHandler<PhoneState, T, PhoneOutputs>;

/** The store key of a (project, phone): the same as its blacklist and facts records. */
export const phoneStateKey = blacklistKey;

function isEmpty(state: PhoneState): boolean {
  if (state.profiles.length > 0 || state.blacklist !== null) return false;
  // Not Object.keys(...).length: that built an array of every remembered id on each write.
  for (const id in state.processed) if (Object.hasOwn(state.processed, id)) return false;
  return true;
}

/** The phone's state: at once when loaded (the chunk's keys are, by its multi-get). */
function load(state: PendingWrites<PhoneState>, key: string): MaybePromise<PhoneState> {
  const loaded = state.peek(key);
  if (loaded !== undefined) return loaded ?? emptyPhoneState();
  return state.get(key).then((value) => value ?? emptyPhoneState());
}

/** Decodes at once when the writer schema was seen before (every record but the first). */
function decoded<T>(deps: PhoneDeps, record: string, bytes: Buffer | null): MaybePromise<T> {
  return deps.codec.decodeKnown<T>(record, bytes) ?? deps.codec.decode<T>(record, bytes);
}

function save(ctx: Ctx, key: string, before: PhoneState, after: PhoneState): void {
  if (after === before) return;
  const pruned = pruneProcessed(after, ctx.now);
  if (isEmpty(pruned)) stateOf(ctx).delete(key);
  else stateOf(ctx).set(key, pruned);
}

function emitBlacklist(ctx: Ctx, project: string, phone: string, before: PhoneState, after: PhoneState): void {
  if (after.blacklist !== before.blacklist) ctx.out.blacklist.send(blacklistKey(project, phone), blacklistEntryFor(project, phone, after));
}

/**
 * Folds the core's facts into the phone's state and writes their effects: the blacklist entry
 * first (it has to be visible at once; the transaction makes everything visible together), then
 * the facts the materializer needs, then the state.
 */
function applyFacts(
  ctx: Ctx, deps: PhoneDeps, key: string, project: string, phone: string, before: PhoneState, facts: readonly Fact[], settingsVersion: number | null = null,
): void {
  if (facts.length === 0) return;
  const after = facts.reduce(evolve, before);
  emitBlacklist(ctx, project, phone, before, after);
  for (const change of blacklistChanges(facts, after, settingsVersion)) ctx.out.blacklistHistory.send(blacklistKey(project, phone), change);
  for (const fact of facts) {
    deps.metrics.facts.inc({ type: fact.type });
    const record = matcherFactRecord(fact, ctx.now);
    if (record) ctx.out.facts.send(key, record);
    // The replier sends it; written in this transaction, so a reply exists exactly when its cause does.
    if (fact.type === 'reply_decided') ctx.out.replies.send(replyKey(fact.intent), fact.intent);
    if (fact.type === 'possible_opt_out') ctx.out.possibleOptOuts.send(possibleOptOutKey(fact), possibleOptOutRecord(fact));
  }
  save(ctx, key, before, after);
}

type InboundValue = { key: string; message: InboundMessage; settings: CompiledSettings; inboundAt: number };

function inbound(deps: PhoneDeps): Handler<InboundValue> {
  return {
    parse(record) {
      return andThen(decoded<InboundSms>(deps, 'InboundSms', record.message.value), (sms) => parseInbound(deps, record, sms));
    },
    apply({ key, message, settings, inboundAt }, ctx) {
      return andThen(load(stateOf(ctx), key), (before) => {
        const reply = decideReply(before, message, settings, { now: ctx.now, inboundAt });
        const decided = decide(before, message, settings);
        const facts = reply === null ? decided : [...decided, replyDecided(reply)];
        if (facts.length === 0 && Object.hasOwn(before.processed, message.message_id)) deps.metrics.duplicates.inc();
        applyFacts(ctx, deps, key, message.project, message.from, before, facts, settings.settings.version);
      });
    },
  };
}

function parseInbound(deps: PhoneDeps, record: InputRecord, sms: InboundSms): { value: InboundValue; keys: string[] } {
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
  // The record's timestamp: ingress publishes it just before its 2xx (the reply latency starts there).
  return { value: { key, message, settings, inboundAt: Number(record.message.timestamp) }, keys: [key] };
}

/**
 * A handler of a phone-keyed topic whose records name their project and phone: decode, check
 * that the record is keyed by its canonical phone, decide with the core, fold the facts in.
 */
function phoneRecords<R extends { project: string; phone: string }>(
  deps: PhoneDeps, record: string, decideFor: (state: PhoneState, value: R, phone: string) => Fact[],
  options: { check?(value: R): void; settingsVersion?(value: R): number | null } = {},
): Handler<{ key: string; phone: string; value: R }> {
  return {
    parse(input) {
      return andThen(decoded<R>(deps, record, input.message.value), (value) => {
        const phone = canonicalField(value.phone, 'phone');
        requireKey(input, phone, 'key_not_phone', 'the canonical phone');
        options.check?.(value);
        const key = phoneStateKey(value.project, phone);
        return { value: { key, phone, value }, keys: [key] };
      });
    },
    apply({ key, phone, value }, ctx) {
      return andThen(load(stateOf(ctx), key), (before) =>
        applyFacts(ctx, deps, key, value.project, phone, before, decideFor(before, value, phone), options.settingsVersion?.(value) ?? null));
    },
  };
}

const sent = (deps: PhoneDeps) => phoneRecords<SmsSent>(deps, 'SmsSent', (state, sent, phone) =>
  decideSmsSent(state, { project: sent.project, customer_id: sent.customer_id, sent_at: sent.sent_at }, phone));

/**
 * A handler of a topic repartitioned by phone: the record's key is the canonical phone whose
 * state it concerns (the value may name another phone, or none), the value names the project.
 */
function keyedByPhone<R extends { project: string }>(
  deps: PhoneDeps, record: string, decideFor: (state: PhoneState, value: R, phone: string) => Fact[],
): Handler<{ key: string; phone: string; value: R }> {
  return {
    parse(input) {
      return andThen(decoded<R>(deps, record, input.message.value), (value) => {
        const phone = canonicalField(input.message.key?.toString('utf8') ?? '', 'key');
        const key = phoneStateKey(value.project, phone);
        return { value: { key, phone, value }, keys: [key] };
      });
    },
    apply({ key, phone, value }, ctx) {
      return andThen(load(stateOf(ctx), key), (before) => applyFacts(ctx, deps, key, value.project, phone, before, decideFor(before, value, phone)));
    },
  };
}

/** Profiles repartitioned by phone: the key is the phone whose index the record concerns. */
const profiles = (deps: PhoneDeps) => keyedByPhone<CustomerProfile>(deps, 'CustomerProfile', (before, profile, phone) =>
  decideCustomerProfile(before, { project: profile.project, customer_id: profile.customer_id, phone: profile.phone, updated_at: profile.updated_at, deleted: profile.deleted }, phone));

/** Consent accepts repartitioned by phone. */
const accepts = (deps: PhoneDeps) => keyedByPhone<ConsentEventRecord>(deps, 'ConsentEvent', (before, accept, phone) =>
  decideConsentAccept(before, { project: accept.project, phone, at: accept.timestamp }));

/**
 * The materializer tracked an opt-out's consent events. The entry becomes CONSENT_TRACKED here,
 * in order with the opt-ins and accepts of the same phone, so the matcher stays the only writer
 * of the blacklist and a notice that arrives after an opt-in changes nothing.
 */
const consentTracked = (deps: PhoneDeps) => phoneRecords<ConsentTracked>(deps, 'ConsentTracked', (state, tracked, phone) =>
  decideConsentTracked(state, { project: tracked.project, phone, message_id: tracked.message_id, at: tracked.tracked_at }));

/**
 * Opt-out list changes from the API (manual block or clear, imported lines), decided in order
 * with the phone's replies; a project without settings cannot have a list (dead letter).
 */
const blacklistCommands = (deps: PhoneDeps) => phoneRecords<BlacklistCommand>(
  deps, 'BlacklistCommand',
  (state, command, phone) => decideBlacklistCommand(state, { ...command, phone }, deps.settings.get(command.project)!),
  {
    check(command) {
      if (deps.settings.get(command.project) === undefined) {
        throw new RecordRejected('unknown_project', 'project', `project: ${JSON.stringify(command.project)} has no SMS settings`);
      }
    },
    settingsVersion: (command) => deps.settings.get(command.project)?.version ?? null,
  },
);

/** One handler per input the phones group declares (topology.ts); a missing one does not compile. */
export function phoneHandlers(deps: PhoneDeps): HandlersOf<PhonesGroup, PhoneState> {
  return {
    inbound: inbound(deps), sent: sent(deps), customersByPhone: profiles(deps), acceptsByPhone: accepts(deps),
    consentTracked: consentTracked(deps), blacklistCommands: blacklistCommands(deps),
  };
}
