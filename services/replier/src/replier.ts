// The imperative shell of replies: Kafka in, Sinch out, Kafka again. At most once across crashes,
// at least once while Sinch answers (SPEC.md Flows 5): a reply's STARTED record is acknowledged
// by the broker before Sinch is called; its outcome, its campaign event and the input offset
// commit in one transaction; a STARTED without an outcome is looked up by client_reference
// before it is sent again. DESIGN.md says why.

import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { ReplyIntent, ReplyOutcome } from '@optline/core';
import { AvroSerde, Codec, createKafka, deadLetterMessage, PositionGuard, provision, readFrom, stoppableConsumer, UndecodableError } from '@optline/kafka';
import { createMetricsRegistry, type ServiceOptions } from '@optline/runtime';
import { msisdn, SinchClient, type DeliveryResult, type SinchClientOptions } from '@optline/sinch';
import { AttemptTable, attemptOf, type ReplyAttempt } from './attempts.ts';
import { BatchTaken, type Owned, type Work } from './work.ts';
import { replierMetrics, type ReplierMetrics } from './metrics.ts';
import { OutcomeWriter } from './outcomes.ts';
import { PartitionProgress } from './progress.ts';
import { replierTopology, type ReplierTopology } from './topology.ts';

export interface ReplierOptions extends ServiceOptions {
  sinch: SinchClientOptions;
  /** Replies being delivered at once, across partitions (default 256). */
  maxInFlight?: number;
  /** Give a reply up this long after its message was received (default 24 h). */
  giveUpMs?: number;
  metrics?: Registry;
  /** Test hook: runs after each outcome commit (with its outcome count); throwing makes a committed transaction look failed. */
  afterCommit?: (partition: number, outcomes: number) => void | Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
// A reply another process started is looked up only once a call it may have had in flight
// must have ended (the call limit), plus this for clocks and the network.
const SETTLE_MARGIN_MS = 1_000;
// Before a batch whose STARTED records could not be written is read again.
const BATCH_RETRY_MS = 500;

export class Replier {
  readonly metrics: Registry;
  private readonly topology: ReplierTopology;
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly guard: PositionGuard;
  private readonly codec: Codec;
  private readonly sinch: SinchClient;
  private readonly attempts: AttemptTable;
  private readonly outcomes: OutcomeWriter;
  private readonly m: ReplierMetrics;
  private readonly maxInFlight: number;
  private readonly giveUpMs: number;
  private readonly inFlight = new Map<string, Work>();
  private readonly owned = new Map<number, Owned>();
  private readonly stopping = new AbortController();
  private claim: Promise<void> | null = null;
  private slot: (() => void) | null = null;
  private consumer: Consumer | undefined;
  private started: Producer | undefined;

  constructor(private readonly options: ReplierOptions) {
    const { config, logger } = options;
    this.topology = replierTopology(config);
    this.kafka = createKafka(config, logger, `${config.clientId}-replier`);
    this.admin = this.kafka.admin();
    this.guard = new PositionGuard(this.admin, logger);
    this.codec = new Codec(new AvroSerde(config.schemaRegistryUrl, this.topology.topics));
    // Which instance made a call, in Sinch's logs (and the test server's).
    this.sinch = new SinchClient({ userAgent: `optline-replier/${randomBytes(4).toString('hex')} (${config.clientId}; pid ${process.pid})`, ...options.sinch });
    this.maxInFlight = options.maxInFlight ?? 256;
    this.giveUpMs = options.giveUpMs ?? DAY_MS;
    this.metrics = options.metrics ?? createMetricsRegistry('replier');
    this.m = replierMetrics(this.metrics, () => this.inFlight.size);
    this.attempts = new AttemptTable({
      kafka: this.kafka, topic: this.topology.reads.attempts, codec: this.codec, logger,
      group: `${this.topology.groupId}.attempts`,
    });
    this.outcomes = new OutcomeWriter({
      kafka: this.kafka, topology: this.topology, codec: this.codec, attempts: this.attempts, metrics: this.m, logger,
      inFlight: this.inFlight, stopping: this.stopping.signal, afterCommit: options.afterCommit,
      owns: (partition, owned) => this.owned.get(partition) === owned,
      freed: () => this.slot?.(),
    });
  }

  async start(): Promise<void> {
    const { logger } = this.options;
    await provision(this.options.config, logger);
    await this.admin.connect();
    this.started = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.started.connect();
    await this.attempts.start();
    const consumer = (this.consumer = stoppableConsumer(this.kafka, {
      groupId: this.topology.groupId, readUncommitted: false, sessionTimeout: 10_000, heartbeatInterval: 2_000, maxWaitTimeInMs: 100,
    }));
    // kafkajs restarts every assigned partition from the committed offsets after a rejoin: the
    // partitions are claimed again (fence, then read the attempts up to now) before their records.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = new Set(payload.memberAssignment[this.topology.reads.replies] ?? []);
      for (const [partition, owned] of this.owned) {
        if (assigned.has(partition)) continue;
        this.owned.delete(partition);
        owned.lost.abort();
        // Its replies are the next owner's now; left here, they would block them if it came back.
        for (const work of this.inFlight.values()) if (work.partition === partition) this.leave(work);
        void owned.producer.disconnect().catch(() => undefined);
      }
      this.claim = this.claimAll([...assigned]);
      this.claim.catch((err) => logger.error({ err }, 'claiming reply partitions failed'));
      logger.info({ assigned: [...assigned] }, 'reply partitions assigned');
    });
    // kafkajs restarts a consumer after a retriable crash; after any other it stays stopped.
    consumer.on(consumer.events.CRASH, ({ payload }) => logger.error({ err: payload.error, restart: payload.restart }, 'replier consumer crashed'));
    this.guard.follow(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: this.topology.reads.replies, fromBeginning: true });
    // Partitions in parallel: each batch waits for its STARTED records' acknowledgement.
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 6, eachBatch: (p) => this.read(p) });
    logger.info({ sinch: this.options.sinch.apiUrl, plan: this.options.sinch.servicePlanId, group: this.topology.groupId }, 'replier started');
  }

  /** Stops reading; replies in flight are abandoned with their outcome unknown (looked up next start). */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.slot?.();
    await this.consumer?.disconnect().catch(() => undefined);
    await Promise.allSettled([...this.owned.values()].map((o) => o.committing));
    await Promise.allSettled([...this.owned.values()].map((o) => o.producer.disconnect()));
    this.owned.clear();
    await this.started?.disconnect().catch(() => undefined);
    await this.attempts.stop();
    await this.admin.disconnect().catch(() => undefined);
  }

  private async claimAll(partitions: number[]): Promise<void> {
    await Promise.all(partitions.map(async (partition) => {
      if (this.owned.has(partition)) return;
      // The fence ends the previous owner's open transaction, so its outcome records are final below.
      const producer = await this.outcomes.fence(partition);
      // Final now, as the fence completed the previous owner's transaction.
      const next = await readFrom(this.admin, this.topology.groupId, this.topology.reads.replies, partition).catch(async (err: unknown) => {
        await producer.disconnect().catch(() => undefined);
        throw err;
      });
      this.owned.set(partition, { producer, lost: new AbortController(), progress: new PartitionProgress(), next, outcomes: [], dead: [], committing: null, unsettled: null });
    }));
    // Everything the previous owners recorded, before any of their replies is looked at.
    await this.attempts.sync(60_000);
  }

  private async read({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.claim) await this.claim;
    const owned = this.owned.get(batch.partition);
    if (!owned) return;
    // A batch from past where the partition was read to (kafkajs delivers batches fetched before
    // a rejoin after it) would leave the replies before it unread, and its outcomes would commit
    // past them: the consumer is sought back there instead (issue #21).
    const position = await this.guard.check(this.consumer!, batch, owned.next);
    owned.next = position.next;
    if (!position.continues || this.owned.get(batch.partition) !== owned) return;
    const taken = new BatchTaken();
    let whole = true;
    try {
      for (const message of batch.messages) {
        if (!isRunning() || isStale() || this.stopping.signal.aborted) {
          whole = false;
          break;
        }
        await this.take(owned, batch.partition, message, taken);
      }
      if (taken.fresh.length > 0) {
        // Durable before any call: after a crash these are looked up, never blindly re-sent.
        const records = taken.fresh.map((w) => attemptOf(w.intent, 'STARTED', null, null));
        await this.produceAttempts(records);
        for (const r of records) this.attempts.remember(r);
      }
    } catch (err) {
      // Nothing of this batch went out (a STARTED write refused while a leader moves, a registry
      // outage): its replies leave inFlight, or a re-read would find them "running" and wait for
      // an outcome that never comes. Nothing was resolved, so kafkajs fetches the batch again.
      // Not thrown: kafkajs stops a consumer for good on a non-retriable error (MESSAGE_TOO_LARGE).
      for (const w of taken.works()) this.leave(w);
      this.m.batchRetries.inc();
      this.options.logger.warn({ err: (err as Error).message, partition: batch.partition, offset: batch.firstOffset() }, 'replies batch failed before any call; read again');
      await new Promise((r) => setTimeout(r, BATCH_RETRY_MS));
      return heartbeat();
    }
    // Only now does kafkajs fetch on past these records (nothing is auto-committed: the group's
    // committed offset moves with the outcomes, in their transactions).
    if (taken.last !== null) resolveOffset(taken.last);
    // lastOffset() counts the markers after the last record: the next batch may start past them.
    const read = whole ? batch.lastOffset() : taken.last;
    if (read !== null && BigInt(read) + 1n > owned.next) owned.next = BigInt(read) + 1n;
    for (const { message, offset } of taken.dead) {
      owned.dead.push(message);
      owned.progress.finish(offset);
    }
    for (const work of taken.late) this.tooLate(owned, work);
    for (const work of [...taken.ready, ...taken.fresh]) void this.deliver(work);
    if (owned.progress.advanced() || owned.outcomes.length > 0 || owned.dead.length > 0) this.outcomes.commit(batch.partition, owned);
    while (this.inFlight.size >= this.maxInFlight && !this.stopping.signal.aborted) {
      await new Promise<void>((resolve) => {
        this.slot = resolve;
        setTimeout(resolve, 1000);
      });
      await heartbeat();
    }
  }

  /** Sorts one record of a batch into `taken`. */
  private async take(owned: Owned, partition: number, message: KafkaMessage, taken: BatchTaken): Promise<void> {
    const offset = BigInt(message.offset);
    owned.progress.begin(offset);
    taken.last = message.offset;
    const decoded = await this.decode(partition, message);
    if ('dead' in decoded) return void taken.dead.push({ message: decoded.dead, offset });
    const { intent } = decoded;
    const known = this.attempts.get(intent.event_id);
    if (known !== undefined && known.status !== 'STARTED') {
      this.m.replies.inc({ kind: intent.kind, outcome: 'skipped' });
      owned.progress.finish(offset);
      return;
    }
    const running = this.inFlight.get(intent.event_id);
    if (running) return void running.offsets.push(offset);
    const work: Work = { intent, partition, offsets: [offset], unknown: known !== undefined, startedAt: known?.at ?? null };
    this.inFlight.set(intent.event_id, work);
    // Read too late (the replier was down, or its offsets expired and it read from the start):
    // a confirmation days after the STOP is worse than none (SPEC: up to 24 h, then failed).
    if (known === undefined && Date.now() > intent.received_at + this.giveUpMs) taken.late.push(work);
    else (work.unknown ? taken.ready : taken.fresh).push(work);
  }

  private async decode(partition: number, message: KafkaMessage): Promise<{ intent: ReplyIntent } | { dead: Message }> {
    try {
      return { intent: await this.codec.decodeSoon<ReplyIntent>('ReplyIntent', message.value) };
    } catch (err) {
      if (!(err instanceof UndecodableError)) throw err; // a registry outage: the batch is retried
      this.m.deadLetters.inc({ rule: 'undecodable' });
      return {
        dead: deadLetterMessage(message.key, message.value, {
          source: `${this.topology.reads.replies}/${partition}@${message.offset}`, rule: 'undecodable', field: 'value',
          message: `not a readable ReplyIntent: ${(err as Error).message}`,
        }, message.headers),
      };
    }
  }

  /** The work leaves inFlight unless another work for its reply has taken its place since. */
  private leave(work: Work): void {
    if (this.inFlight.get(work.intent.event_id) === work) this.inFlight.delete(work.intent.event_id);
  }

  private async deliver(work: Work): Promise<void> {
    const { intent } = work;
    const lost = this.owned.get(work.partition)?.lost.signal;
    if (lost === undefined || lost.aborted) return this.leave(work);
    let result: DeliveryResult;
    try {
      result = await this.sinch.deliver(
        { from: msisdn(intent.from), to: [msisdn(intent.to)], body: intent.text, client_reference: intent.event_id },
        {
          giveUpAt: intent.received_at + this.giveUpMs, lookUpFirst: work.unknown,
          ...(work.startedAt === null ? {} : { notBefore: work.startedAt + this.sinch.callLimitMs + SETTLE_MARGIN_MS }),
          // Once the partition moved, its next owner looks this reply up and sends it if need be:
          // a call from here as well could reach Sinch after that look-up, a second batch.
          signal: AbortSignal.any([this.stopping.signal, lost]),
          onRetry: (reason, waitMs) => {
            this.m.retries.inc();
            this.options.logger.debug({ event_id: intent.event_id, reason, waitMs }, 'Sinch call failed; retrying');
          },
        },
      );
    } catch (err) {
      // Stopping or moved: the outcome stays unknown (STARTED) and is looked up by the next owner.
      if (lost.aborted) this.leave(work);
      else if (!this.stopping.signal.aborted) this.options.logger.error({ err, event_id: intent.event_id }, 'reply delivery failed unexpectedly');
      return;
    }
    const at = Date.now();
    const outcome: ReplyOutcome = result.kind === 'sent' ? { kind: 'sent', at } : { kind: 'failed', at, reason: result.reason };
    if (result.kind === 'sent') {
      if (result.foundByLookup) this.m.lookups.inc();
      this.m.latency.observe((at - (intent.inbound_at ?? intent.received_at)) / 1000);
    } else {
      this.options.logger.warn({ event_id: intent.event_id, reason: result.reason }, 'reply not sent');
    }
    const attempt = attemptOf(intent, result.kind === 'sent' ? 'SENT' : 'FAILED', result.kind === 'sent' ? result.batch.id : null, result.kind === 'failed' ? result.reason : null);
    const owned = this.owned.get(work.partition);
    if (!owned) {
      // The partition moved: its next owner finds the STARTED record and looks the reply up.
      return this.leave(work);
    }
    owned.outcomes.push({ work, attempt, outcome });
    this.outcomes.commit(work.partition, owned);
  }

  private tooLate(owned: Owned, work: Work): void {
    const at = Date.now();
    const reason = `gave up: not sent within ${hours(this.giveUpMs)} of the message (read ${hours(at - work.intent.received_at)} after it)`;
    owned.outcomes.push({ work, attempt: attemptOf(work.intent, 'FAILED', null, reason), outcome: { kind: 'failed', at, reason } });
  }

  private async produceAttempts(records: ReplyAttempt[]): Promise<void> {
    const encode = await this.codec.serde.encoderFor(this.topology.writes.attempts);
    await this.started!.send({ topic: this.topology.writes.attempts, acks: -1, messages: records.map((r) => ({ key: r.event_id, value: encode(r) })) });
  }

}

const hours = (ms: number) => `${Number((ms / 3_600_000).toFixed(ms < 36_000_000 ? 1 : 0))} h`;
