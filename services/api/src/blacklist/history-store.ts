// Each phone's blacklist history, served from a store and not from a scan of the topic: the
// matcher's BlacklistChange records (optline.blacklist-history.v1) and the confirmations the
// replier sent (auto_reply_sent on tracking.campaign.v1), tailed into a RocksDB of this API
// instance, keyed so that one phone's records are one range:
//   h <project>:<phone> NUL <offset, 20 digits>    changes, in the matcher's order
//   r <project>:<phone> NUL <at, 15 digits> NUL <event id>   confirmations, by time
// The store is rebuilt from the topics at each start (a temp directory, removed at stop).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { BlacklistChange, CampaignEvent } from '@optline/schemas';
import { CompactedTail, groupId, type Codec, type TailSink, type Topics } from '@optline/kafka';
import type { Logger } from '@optline/runtime';
import { RocksDbStore, type StoreOp } from '@optline/state-store';

const FLUSH_OPS = 5000;

/** Writes the tails' records to RocksDB in batches; `flushed()` resolves once all so far are stored. */
class BatchingSink {
  private ops: StoreOp[] = [];
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(private readonly store: () => RocksDbStore | undefined) {}

  put(key: string, value: Buffer): void {
    this.ops.push({ type: 'put', key, value });
    if (this.ops.length === 1) setImmediate(() => this.flush());
    else if (this.ops.length >= FLUSH_OPS) this.flush();
  }

  flush(): Promise<void> {
    if (this.ops.length > 0) {
      const ops = this.ops;
      this.ops = [];
      this.chain = this.chain.then(() => this.store()?.batch(ops)).catch((error: Error) => {
        this.failure = error;
      });
    }
    return this.chain.then(() => {
      if (this.failure) throw this.failure;
    });
  }
}

export interface HistoryStoreOptions {
  kafka: Kafka;
  codec: Codec;
  topics: Topics;
  namespace: string;
  logger?: Logger;
  dir?: string;
}

export interface HistoryEntry extends Omit<BlacklistChange, 'project' | 'phone'> {
  /** For `reply_sent`: the campaign event of the confirmation. */
  event_id?: string;
}

export class BlacklistHistoryStore {
  private store: RocksDbStore | undefined;
  private location: string | undefined;
  private readonly sink = new BatchingSink(() => this.store);
  readonly changes: CompactedTail<Buffer>;
  readonly replies: CompactedTail<CampaignEvent | null>;

  constructor(private readonly options: HistoryStoreOptions) {
    const { kafka, codec, topics: t, namespace, logger } = options;
    const changesSink: TailSink<Buffer> = {
      set: (key, raw, at) => this.sink.put(`h${key}\u0000${at.offset.padStart(20, '0')}`, raw),
      delete: () => undefined,
    };
    const repliesSink: TailSink<CampaignEvent | null> = {
      set: (_key, event) => {
        if (event === null) return;
        const payload = Buffer.from(JSON.stringify({ at: event.timestamp, body: event.message, event_id: event.event_id }));
        this.sink.put(`r${event.project}:${event.recipient}\u0000${String(event.timestamp).padStart(15, '0')}\u0000${event.event_id}`, payload);
      },
      delete: () => undefined,
    };
    // Kept as bytes; read back (synchronously) by history(), so the writer schema is learnt here.
    const decodeChange = (value: Buffer) => (codec.decodeKnown('BlacklistChange', value) === undefined ? codec.decode('BlacklistChange', value).then(() => value) : value);
    this.changes = new CompactedTail<Buffer>({
      kafka, topic: t.blacklistHistory.name, name: 'blacklist history', sink: changesSink, logger,
      group: groupId(namespace, 'optline.api.blacklist-history'), decode: decodeChange,
    });
    this.replies = new CompactedTail<CampaignEvent | null>({
      kafka, topic: t.campaign.name, name: 'blacklist history (replies sent)', sink: repliesSink, logger,
      group: groupId(namespace, 'optline.api.replies-sent'),
      decode: (value) => {
        const event = codec.decodeSoon<CampaignEvent>('CampaignEvent', value);
        const sent = (e: CampaignEvent) => (e.status === 'auto_reply_sent' ? e : null);
        return event instanceof Promise ? event.then(sent) : sent(event);
      },
    });
  }

  async start(): Promise<void> {
    this.location = mkdtempSync(join(this.options.dir ?? tmpdir(), 'optline-blacklist-history-'));
    this.store = await RocksDbStore.open(this.location);
    await Promise.all([this.changes.start(), this.replies.start()]);
  }

  async ready(timeoutMs: number): Promise<void> {
    await Promise.all([this.changes.ready(timeoutMs), this.replies.ready(timeoutMs)]);
    await this.sink.flush();
  }

  lag(): number {
    return this.changes.lag() + this.replies.lag();
  }

  get failure(): Error | undefined {
    return this.changes.failure ?? this.replies.failure;
  }

  /**
   * Every change of (project, phone), oldest first, once the store holds every record written
   * before the call: the matcher's changes in its order, each confirmation placed after the
   * last change at or before the time it was sent.
   */
  async history(project: string, phone: string): Promise<HistoryEntry[]> {
    await Promise.all([this.changes.sync(), this.replies.sync()]);
    await this.sink.flush();
    const store = this.store;
    if (!store) throw new Error('blacklist history: not started');
    const key = `${project}:${phone}\u0000`;
    const entries: HistoryEntry[] = [];
    for await (const [, raw] of store.range({ gte: `h${key}`, lt: `h${project}:${phone}\u0001` })) {
      const change = this.options.codec.decodeKnown<BlacklistChange>('BlacklistChange', raw);
      if (change === undefined) continue;
      const { project: _p, phone: _ph, ...rest } = change;
      entries.push({ ...rest });
    }
    for await (const [, raw] of store.range({ gte: `r${key}`, lt: `r${project}:${phone}\u0001` })) {
      const sent = JSON.parse(raw.toString()) as { at: number; body: string; event_id: string };
      const status = entries.length === 0 ? null : entries[entries.length - 1]!.status;
      let index = entries.length;
      while (index > 0 && entries[index - 1]!.at > sent.at) index--;
      entries.splice(index, 0, {
        at: sent.at, kind: 'reply_sent', status: index > 0 ? entries[index - 1]!.status : status, source: null, message_id: null, body: sent.body,
        keyword: null, settings_version: null, blocked_at: null, actor: null, reason: null, event_id: sent.event_id,
      });
    }
    return entries;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.changes.stop(), this.replies.stop()]);
    await this.sink.flush().catch(() => undefined);
    await this.store?.close();
    this.store = undefined;
    if (this.location) rmSync(this.location, { recursive: true, force: true });
  }
}
