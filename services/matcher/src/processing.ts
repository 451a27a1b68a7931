import type { KafkaMessage, Message } from 'kafkajs';
import { deadLetterMessage, UndecodableError, type Outputs, type Sinks } from '@optline/kafka';
import { tryCanonicalDedicatedNumber, tryCanonicalPhone, type PhoneResult } from '@optline/core';
import type { PendingWrites, ValueSerde } from '@optline/state-store';

export interface InputRecord {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export type { OutputRecord } from '@optline/kafka';

/** Bad input: the record goes to the dead-letter topic with this rule and field. */
export class RecordRejected extends Error {
  constructor(
    readonly rule: string,
    readonly field: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'RecordRejected';
  }
}

/** What one transaction of a task can see and do: its state, and sinks for its group's outputs only. */
export interface TaskContext<S, O extends Outputs = Outputs> {
  readonly partition: number;
  /** The task's store with this transaction's writes; absent for stateless tasks. */
  readonly state: PendingWrites<S> | undefined;
  /** Wall-clock time of the transaction. */
  readonly now: number;
  readonly out: Sinks<O>;
}

/** How one input topic's records are read (parse) and applied to state and outputs (apply). */
export interface RecordHandler<S, T, O extends Outputs = Outputs> {
  /**
   * Decodes and checks a record; null when it is not for the matcher (read and skipped).
   * `keys` are the state keys `apply` will read, loaded for the whole chunk in one multi-get.
   */
  parse(record: InputRecord): MaybePromise<{ value: T; keys: string[] } | null>;
  apply(value: T, ctx: TaskContext<S, O>): MaybePromise<void>;
}

/** A handler answers at once when it can (decoder and state at hand), so a record costs no promise. */
export type MaybePromise<T> = T | Promise<T>;

/** `f(value)` now when `value` is no promise, else once it resolves. (Not named `then`: a module exporting `then` is a thenable, and `await import()` of it calls it.) */
export function andThen<T, R>(value: MaybePromise<T>, f: (v: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(f) : f(value);
}

/** A set of co-partitioned input topics processed together, with their store and outputs. */
export interface TaskGroup<S = unknown, O extends Outputs = Outputs> {
  name: string;
  inputs: readonly string[];
  store?: { name: string; changelog: string; serde: ValueSerde<S> };
  outputs: O;
  handlers: ReadonlyMap<string, RecordHandler<S, unknown, O>>;
}

export interface DeadLetter {
  record: InputRecord;
  rule: string;
  field?: string;
  message: string;
}

/**
 * Parses a chunk, loads the state it needs at once, then applies it record by record. A
 * rejected or undecodable record becomes a dead letter; any other error fails the chunk.
 */
export async function processChunk<S, O extends Outputs>(
  group: TaskGroup<S, O>, records: readonly InputRecord[], ctx: TaskContext<S, O>, emitDeadLetter: (message: Message) => void,
): Promise<DeadLetter[]> {
  const dead: DeadLetter[] = [];
  const reject = (record: InputRecord, error: unknown) => {
    if (error instanceof RecordRejected) dead.push({ record, rule: error.rule, message: error.message, ...(error.field ? { field: error.field } : {}) });
    else if (error instanceof UndecodableError) dead.push({ record, rule: 'undecodable', field: 'value', message: error.message });
    else throw error;
  };
  const parsed: Array<{ record: InputRecord; value: unknown }> = [];
  const keys: string[] = [];
  for (const record of records) {
    try {
      let p = handlerFor(group, record.topic).parse(record);
      if (p instanceof Promise) p = await p;
      if (p === null) continue;
      parsed.push({ record, value: p.value });
      for (const key of p.keys) keys.push(key);
    } catch (error) {
      reject(record, error);
    }
  }
  await ctx.state?.prefetch(keys);
  for (const { record, value } of parsed) {
    try {
      const applied = handlerFor(group, record.topic).apply(value, ctx);
      if (applied instanceof Promise) await applied;
    } catch (error) {
      reject(record, error);
    }
  }
  for (const d of dead) {
    const { message } = d.record;
    const source = `${d.record.topic}/${d.record.partition}@${message.offset}`;
    emitDeadLetter(deadLetterMessage(message.key, message.value, { source, rule: d.rule, message: d.message, ...(d.field ? { field: d.field } : {}) }, message.headers));
  }
  return dead;
}

function handlerFor<S, O extends Outputs>(group: TaskGroup<S, O>, topic: string): RecordHandler<S, unknown, O> {
  const handler = group.handlers.get(topic);
  if (!handler) throw new Error(`task group ${group.name} has no handler for topic ${topic}`);
  return handler;
}

/**
 * `compute` with its recent results kept, in two generations of at most `max` each: when the
 * young one is full it becomes the old one (the previous old one is dropped), and a hit in the
 * old one is copied to the young. So the last `max` distinct inputs always hit, and most of the
 * last 2 x `max` do. Clearing one Map when full (as before) made a set just above `max` (125k
 * phones replying in turn against 100k) miss nearly every time.
 */
export function boundedMemo<R>(compute: (input: string) => R, max: number): (input: string) => R {
  let young = new Map<string, R>();
  let old = new Map<string, R>();
  return (input) => {
    let result = young.get(input);
    if (result !== undefined) return result;
    result = old.get(input);
    if (result === undefined) result = compute(input);
    if (young.size >= max) {
      old = young;
      young = new Map();
    }
    young.set(input, result);
    return result;
  };
}

// Replies come from the same phones again and again, and to few dedicated numbers; parsing with
// the libphonenumber metadata is the costliest step of a record, so results are kept.
// ~130 bytes an entry: at most 2 x 150k phones, ~40 MB.
const canonicalPhoneOf = boundedMemo(tryCanonicalPhone, 150_000);
const dedicatedNumberOf = boundedMemo(tryCanonicalDedicatedNumber, 10_000);

/** The canonical form of a phone field, or a RecordRejected naming the field. */
export function canonicalField(value: string, field: string): string {
  const result = canonicalPhoneOf(value);
  if (!result.ok) throw new RecordRejected('invalid_phone', field, `${field}: ${result.error.message}`);
  return result.phone;
}

/** The canonical form of a dedicated number (`to`), or a RecordRejected: no project can own it. */
export function dedicatedNumberField(value: string): string {
  const result = dedicatedNumberOf(value);
  if (!result.ok) throw new RecordRejected('unknown_dedicated_number', 'to', `to: ${result.error.message}; no project can own it`);
  return result.phone;
}

/** Checks that a record is keyed as its topic requires (its partition, and so its task, follow). */
export function requireKey(record: InputRecord, expected: string, rule: string, what: string): void {
  const key = record.message.key?.toString('utf8') ?? null;
  if (key !== expected) {
    throw new RecordRejected(rule, 'key', `record key ${JSON.stringify(key)} must be ${what} ${JSON.stringify(expected)}, so that the record lands in the partition that owns its state`);
  }
}

export function stateOf<S>(ctx: TaskContext<S, Outputs>): PendingWrites<S> {
  if (!ctx.state) throw new Error('this task group has no store');
  return ctx.state;
}
