// The imperative shell: Kafka in, Kafka out. The decisions live in windows.ts, partition.ts
// and events.ts; DESIGN.md explains why this is exactly once.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Consumer, EachBatchPayload, Kafka, TopicMessages } from 'kafkajs';
import type { Registry } from 'prom-client';
import { trackingKey } from '@optline/core';
import {
  AvroSerde, Codec, collectingSinks, commitTransaction, coPartitionedAssigner, createKafka, deadLetterMessage, encodersFor, logStart, provision, stoppableConsumer, TaskManager,
  type CoPartitionedGroup, type Encoders, type Task,
} from '@optline/kafka';
import { createMetricsRegistry, type ServiceOptions } from '@optline/runtime';
import { consentTrackedNotices, windowEvents, type ConsentTrackedNotice, type WindowEvents } from './events.ts';
import { materializerMetrics, type MaterializerMetrics } from './metrics.ts';
import { PartitionWindows, type FlushPlan } from './partition.ts';
import { readFact, type DeadLetter, type Item } from './read.ts';
import type { Fact } from './facts.ts';
import { materializerTopology, type MaterializerTopology } from './topology.ts';
import { closedBoundary, closesAt, decodeWatermark, encodeWatermark, type WindowSpec } from './windows.ts';

export interface MaterializerOptions extends ServiceOptions {
  metrics?: Registry;
  /** Test hook: wait this long between writing a flush's records and committing it. */
  pauseInFlushMs?: number;
  /** Called after each committed partition flush. */
  onFlush?: (report: FlushReport) => void;
  /** The wall clock windows close by (a benchmark moves it); Date.now by default. */
  clock?: () => number;
}

export interface FlushReport {
  partition: number;
  boundary: number;
  facts: number;
  consent: number;
  campaign: number;
  /** ConsentTracked notices to the matcher. */
  consentTracked: number;
  deadLetters: number;
  commitOffset: number;
  ms: number;
}

/** A facts partition this instance owns: its runtime task and the windows read into memory. */
interface Owned {
  task: Task<CoPartitionedGroup, undefined>;
  windows: PartitionWindows<Item>;
}

// The longest a window may stay open past its close time when nothing else wakes the timer.
const MAX_TICK_MS = 1000;

export class Materializer {
  readonly metrics: Registry;
  private readonly topology: MaterializerTopology;
  private readonly spec: WindowSpec;
  private readonly kafka: Kafka;
  private readonly codec: Codec;
  private encoders: Encoders = new Map();
  private readonly m: MaterializerMetrics;
  private readonly owned = new Map<number, Owned>();
  private tasks: TaskManager<CoPartitionedGroup, undefined> | undefined;
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private generation = 0;
  private ticking: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: MaterializerOptions) {
    const { config, logger } = options;
    this.topology = materializerTopology(config);
    this.spec = { lengthMs: config.windowMs, graceMs: config.windowGraceMs };
    this.now = options.clock ?? Date.now;
    this.kafka = createKafka(config, logger, `${config.clientId}-materializer`);
    this.codec = new Codec(new AvroSerde(config.schemaRegistryUrl, this.topology.topics));
    this.metrics = options.metrics ?? createMetricsRegistry('materializer');
    this.m = materializerMetrics(this.metrics, () => this.pendingFacts());
  }

  async start(): Promise<void> {
    const { logger } = this.options;
    await provision(this.options.config, logger);
    // Every output's encoder up front (registers its schema): the flush's sinks encode synchronously.
    this.encoders = await encodersFor([this.topology.group.outputs], (topic) => this.codec.serde.encoderFor(topic));
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const { group } = this.topology;
    // Windows live in memory and are rebuilt from the committed offsets, which kafkajs restarts
    // every assigned partition from after a rejoin: every task is opened (fenced) again.
    const tasks = (this.tasks = new TaskManager<CoPartitionedGroup, undefined>({
      kafka: this.kafka, admin: this.admin, groups: [group], groupId: this.topology.groupId,
      transactionalId: this.topology.transactionalId, logger, open: async () => undefined, reopenOnAssign: true,
    }));
    const consumer = (this.consumer = stoppableConsumer(this.kafka, {
      groupId: this.topology.groupId,
      readUncommitted: false,
      partitionAssigners: [coPartitionedAssigner([group], () => tasks.owned())],
      // A crashed instance's partitions move after this; the broker allows 6 s at least.
      sessionTimeout: 10_000,
      heartbeatInterval: 2_000,
      maxWaitTimeInMs: 250,
    }));
    consumer.on(consumer.events.CRASH, ({ payload }) => this.options.logger.error({ err: payload.error, restart: payload.restart }, 'materializer consumer crashed'));
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.generation++;
      this.owned.clear();
      void tasks.assign(payload.memberAssignment);
      logger.info({ assignment: payload.memberAssignment }, 'partitions assigned');
    });
    tasks.follow(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic: this.topology.reads.facts, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.read(p) });
    this.schedule();
    logger.info({ window: this.spec, group: this.topology.groupId }, 'materializer started');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.consumer?.disconnect();
    await this.ticking.catch(() => undefined);
    await this.tasks?.closeAll();
    await this.admin?.disconnect();
  }

  /** Facts read and waiting for their window to close, over the partitions this instance owns. */
  pendingFacts(): number {
    return [...this.owned.values()].reduce((n, o) => n + o.windows.pendingCount, 0);
  }

  private async read({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const partition = batch.partition;
    const owned = this.owned.get(partition) ?? (await this.claim(partition));
    if (!owned) return;
    const first = Number(batch.firstOffset());
    // Past what held no facts (kafkajs passed over it by itself), or deleted before it was read.
    const position = await this.tasks!.position(this.topology.reads.facts, partition, BigInt(owned.windows.readPosition), BigInt(first));
    if (this.owned.get(partition) !== owned) return;
    owned.windows.skipTo(Number(position));
    if (!owned.windows.continues(first)) {
      // Facts between the read position and this batch would be skipped: read them first.
      this.options.logger.debug({ partition, firstOffset: first, position: owned.windows.readPosition }, 'batch starts past the read position; seeking back');
      this.consumer!.seek({ topic: this.topology.reads.facts, partition, offset: String(owned.windows.readPosition) });
      return;
    }
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.owned.get(partition) !== owned) return;
      const offset = Number(message.offset);
      if (!owned.windows.hasRead(offset)) {
        const { recordedAt, item } = await readFact(this.codec, message, this.topology.reads.facts, partition);
        if (this.owned.get(partition) !== owned) return;
        const admission = owned.windows.admit(offset, recordedAt, item);
        this.m.factsRead.inc({ admission });
      }
      resolveOffset(message.offset);
    }
    // kafkajs resolves the batch's filtered tail (markers, aborted records) with its last record.
    if (this.owned.get(partition) === owned) owned.windows.skipTo(Number(batch.lastOffset()) + 1);
    this.options.logger.debug({ partition, position: owned.windows.readPosition, pending: owned.windows.pendingCount }, 'facts read');
    await heartbeat();
  }

  /**
   * Takes a partition over: the runtime's task has fenced any earlier owner (aborting its open
   * flush) and only then read the committed offset and watermark, so they are final. A partition
   * the group never committed is read from its first offset, whatever batch arrived first.
   * Returns undefined when the partition was claimed otherwise meanwhile (a rejoin).
   */
  private async claim(partition: number): Promise<Owned | undefined> {
    const generation = this.generation;
    const task = await this.tasks!.task(this.topology.reads.facts, partition);
    const committed = task.committed.get(this.topology.reads.facts);
    const watermark = decodeWatermark(committed?.metadata);
    const offset = Number(committed?.offset ?? -1n);
    const start = offset >= 0 ? offset : Number(await logStart(this.admin!, this.topology.reads.facts, partition));
    if (generation !== this.generation || this.owned.has(partition)) return this.owned.get(partition);
    const owned: Owned = { task, windows: new PartitionWindows(this.spec, start, watermark) };
    this.owned.set(partition, owned);
    this.options.logger.info({ partition, committedOffset: start, watermark }, 'partition claimed');
    return owned;
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = this.now();
    const delay = Math.min(MAX_TICK_MS, Math.max(0, closesAt(closedBoundary(now, this.spec), this.spec) - now));
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .catch((err) => this.options.logger[this.stopped ? 'debug' : 'error']({ err }, 'flush tick failed; retrying'))
        .finally(() => this.schedule());
    }, delay);
  }

  /** Flushes every partition whose windows closed, each in its own transaction. */
  private async tick(): Promise<void> {
    const boundary = closedBoundary(this.now(), this.spec);
    const due = [...this.owned].filter(([, o]) => o.windows.isDue(boundary));
    // Each flush is the task's work: serial with anything else the task does.
    await Promise.all(due.map(([partition, owned]) => this.tasks!.exclusive(owned.task, () => this.flush(partition, owned, owned.windows.takeDue(boundary)))));
  }

  private async flush(partition: number, owned: Owned, plan: FlushPlan<Item>): Promise<void> {
    if (!plan.needed) return;
    const started = performance.now();
    const importedAt = this.now();
    const facts: Fact[] = [];
    const dead: DeadLetter[] = [];
    for (const item of plan.items) {
      if (item.kind === 'fact') facts.push(item.fact);
      else dead.push(item);
    }
    const events = windowEvents(facts, importedAt);
    const tracked = consentTrackedNotices(facts, importedAt);
    try {
      const records = this.records(events, tracked, dead);
      const input = { groupId: this.topology.groupId, topic: this.topology.reads.facts, partition, offset: String(plan.commitOffset), metadata: encodeWatermark(plan.watermark) };
      const pause = this.options.pauseInFlushMs;
      await commitTransaction(owned.task.producer, records, input, pause ? async () => {
        this.options.logger.warn({ partition, ms: pause }, 'test hook: pausing in flush before commit');
        await sleep(pause);
      } : undefined);
    } catch (err) {
      this.m.flushes.inc({ result: 'failed' });
      // A flush the stop cut short (its producer disconnected, or the broker already gone) is
      // expected, not an error: nothing was committed, and the next owner reads from the offset.
      if (this.stopped) {
        this.options.logger.debug({ err, partition, boundary: plan.boundary }, 'flush cut short by the stop; the partition is re-read from its committed offset');
        return;
      }
      this.options.logger.error({ err, partition, boundary: plan.boundary }, 'flush failed; re-reading the partition from its committed offset');
      await this.abandon(partition, owned, err);
      return;
    }
    owned.windows.commit(plan);
    this.reportFlush({
      partition, boundary: plan.boundary, facts: facts.length, consent: events.consent.length, campaign: events.campaign.length,
      consentTracked: tracked.length, deadLetters: dead.length, commitOffset: plan.commitOffset, ms: Math.round(performance.now() - started),
    }, dead);
  }

  private reportFlush(report: FlushReport, dead: DeadLetter[]): void {
    this.m.flushes.inc({ result: 'committed' });
    this.m.flushSeconds.observe(report.ms / 1000);
    this.m.events.inc({ output: 'consent' }, report.consent);
    this.m.events.inc({ output: 'campaign' }, report.campaign);
    this.m.events.inc({ output: 'consent_tracked' }, report.consentTracked);
    for (const d of dead) this.m.deadLetters.inc({ rule: d.reason.rule });
    this.options.logger.info(report, 'window flushed');
    this.options.onFlush?.(report);
  }

  /** Forgets the partition's pending windows and task; its next batch claims it again from the commit. */
  private async abandon(partition: number, owned: Owned, error: unknown): Promise<void> {
    await this.tasks!.fail(owned.task, error);
    if (this.owned.get(partition) !== owned) return;
    this.owned.delete(partition);
    try {
      this.consumer?.seek({ topic: this.topology.reads.facts, partition, offset: String(owned.windows.committedOffset) });
    } catch (err) {
      // Not running or no longer assigned: the next owner starts from the commit anyway.
      this.options.logger.warn({ err, partition }, 'could not rewind an abandoned partition');
    }
  }

  /** The flush's records, through the task group's sinks (in this order), then its dead letters. */
  private records(events: WindowEvents, tracked: ConsentTrackedNotice[], dead: DeadLetter[]): TopicMessages[] {
    const { out, records } = collectingSinks(this.topology.group.outputs, this.encoders);
    for (const e of events.consent) out.consent.send(trackingKey(e), e);
    for (const e of events.campaign) out.campaign.send(trackingKey(e), e);
    for (const n of tracked) out.consentTracked.send(n.phone, n);
    const rejected = dead.map((d) => deadLetterMessage(d.message.key, d.message.value, d.reason, d.message.headers));
    return rejected.length === 0 ? records() : [...records(), { topic: this.topology.deadLetter, messages: rejected }];
  }
}
