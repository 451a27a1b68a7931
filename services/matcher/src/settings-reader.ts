import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Logger } from '@optline/runtime';
import { UndecodableError, type Codec } from './codec.ts';
import type { MatcherMetrics } from './metrics.ts';
import { SettingsView, type SmsSettingsRecord } from './settings.ts';

/**
 * Reads the whole settings topic into a SettingsView, on every instance, and keeps following
 * it. `caughtUp()` resolves once everything stored in the topic when it was called has been
 * applied: the matcher awaits it before deciding a batch of replies, so a settings change
 * applies to every message processed after it was stored, and at startup replies wait until
 * the settings have been read.
 */
export class SettingsReader {
  readonly view = new SettingsView();
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  /** Next offset to apply, per partition. */
  private readonly position = new Map<number, bigint>();
  private waiters: Array<{ end: Map<number, bigint>; resolve: () => void }> = [];

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    private readonly codec: Codec,
    private readonly logger: Logger,
    private readonly metrics: MatcherMetrics,
    groupPrefix: string,
    private readonly timeoutMs = 30_000,
  ) {
    // A group of its own that never commits: every instance reads everything from the start.
    this.consumer = kafka.consumer({ groupId: `${groupPrefix}.settings.${randomUUID()}`, readUncommitted: false, maxWaitTimeInMs: 100 });
    this.admin = kafka.admin();
  }

  async start(): Promise<void> {
    await Promise.all([this.admin.connect(), this.consumer.connect()]);
    for (const { partition, low } of await this.admin.fetchTopicOffsets(this.topic)) this.position.set(partition, BigInt(low));
    // Batches of only transaction markers never reach eachBatch; their end does move the position.
    this.consumer.on(this.consumer.events.END_BATCH_PROCESS, ({ payload }) => this.advance(payload.partition, BigInt(payload.lastOffset) + 1n));
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) await this.applyRecord(message.key?.toString('utf8') ?? null, message.value, `${this.topic}/${batch.partition}@${message.offset}`);
      },
    });
    await this.caughtUp();
    this.logger.info({ projects: this.view.size }, 'settings loaded');
  }

  private async applyRecord(key: string | null, value: Buffer | null, source: string): Promise<void> {
    let record: SmsSettingsRecord | null = null;
    if (value !== null) {
      try {
        record = await this.codec.decode<SmsSettingsRecord>('SmsSettings', value);
      } catch (error) {
        if (!(error instanceof UndecodableError)) throw error;
        // Every instance re-reads this topic from the start, so a dead letter here would be
        // repeated by each of them on each start: the refusal is logged and counted instead.
        this.metrics.settingsRejected.inc({ rule: 'undecodable' });
        this.logger.error({ source, rule: 'undecodable', err: error.message }, 'settings record refused; the project keeps its previous settings');
        return;
      }
    }
    const project = key ?? record?.project;
    if (!project) {
      this.metrics.settingsRejected.inc({ rule: 'project_missing' });
      this.logger.error({ source, rule: 'project_missing' }, 'settings record without key or project refused');
      return;
    }
    const rejection = this.view.apply(project, record);
    if (rejection) {
      for (const e of rejection.errors) this.metrics.settingsRejected.inc({ rule: e.rule });
      this.logger.error({ source, ...rejection }, 'settings record breaks the settings rules; the project keeps its previous settings');
    } else {
      this.logger.info({ source, project, version: record?.version ?? null, deleted: record === null }, 'settings applied');
    }
  }

  private advance(partition: number, next: bigint): void {
    if (next > (this.position.get(partition) ?? 0n)) this.position.set(partition, next);
    this.waiters = this.waiters.filter((w) => {
      if (!this.reached(w.end)) return true;
      w.resolve();
      return false;
    });
  }

  private reached(end: Map<number, bigint>): boolean {
    for (const [partition, offset] of end) if ((this.position.get(partition) ?? 0n) < offset) return false;
    return true;
  }

  /** Resolves once every record stored in the topic before this call has been applied. */
  async caughtUp(): Promise<void> {
    const end = new Map((await this.admin.fetchTopicOffsets(this.topic)).map((o) => [o.partition, BigInt(o.high)] as const));
    if (this.reached(end)) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.waiters.push({ end, resolve })),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`settings topic ${this.topic} not read to its end within ${this.timeoutMs} ms`)), this.timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.admin.disconnect();
  }
}
