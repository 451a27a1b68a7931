// The API's side of the opt-out list commands: it never writes the blacklist, it asks the matcher
// (optline.blacklist-commands.v1, keyed by the canonical phone like sms.inbound.v1, so the matcher
// orders a command with that phone's replies) and then waits until its own blacklist copy shows
// the outcome, so that a send-check right after the answer sees it.

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from 'kafkajs';
import type { BlacklistClient } from '@optline/blacklist-client';
import { importCommandId, type BlacklistCommand } from '@optline/core';
import type { AvroSerde } from '@optline/kafka';

const SEND_BATCH = 2000;

export interface CommandSenderOptions {
  producer: Producer;
  serde: AvroSerde;
  topic: string;
  blacklist: BlacklistClient;
}

export class BlacklistCommands {
  constructor(private readonly options: CommandSenderOptions) {}

  /** A manual command, with a fresh id. */
  manual(project: string, phone: string, action: BlacklistCommand['action'], actor: string, reason: string, now: number): BlacklistCommand {
    return { command_id: randomUUID(), project, phone, action, source: 'manual', actor, reason, opted_out_at: null, requested_at: now };
  }

  /** An imported line: the same line of the same project always has the same command id. */
  imported(project: string, phone: string, optedOutAt: number | null, actor: string, reason: string, now: number): BlacklistCommand {
    const command_id = importCommandId(project, phone, optedOutAt);
    return { command_id, project, phone, action: 'BLOCK', source: 'import', actor, reason, opted_out_at: optedOutAt, requested_at: now };
  }

  /** Sends the commands (acks=all) in batches, calling `progress` after each. */
  async send(commands: readonly BlacklistCommand[], progress?: (sent: number) => void): Promise<void> {
    const { producer, serde, topic } = this.options;
    const encode = await serde.encoderFor(topic);
    for (let i = 0; i < commands.length; i += SEND_BATCH) {
      const messages = commands.slice(i, i + SEND_BATCH).map((c) => ({ key: c.phone, value: encode(c) }));
      await producer.send({ topic, acks: -1, messages });
      progress?.(Math.min(commands.length, i + SEND_BATCH));
    }
  }

  /**
   * Waits until the blacklist copy satisfies `done` (the matcher decided the command and its
   * record was read), re-checking after each sync; false past the deadline.
   */
  async waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (let pause = 5; ; pause = Math.min(200, pause * 2)) {
      if (done()) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await this.options.blacklist.sync(Math.max(1, left)).catch(() => undefined);
      if (done()) return true;
      await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
    }
  }
}
