// patches/kafkajs+2.2.4+004+cancel-retries.patch: a kafkajs client disconnected while it retries
// (the broker unreachable) ends its retries at once. Before, the connect retry kept its timer and
// went on connecting after the disconnect, so `optline start` stopped by SIGINT with the broker
// down was held up until a backstop exited it (issue #15; test/fault/stop.it.test.ts).
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';

const require = createRequire(import.meta.url);
const createRetry = require('kafkajs/src/retry/index.js') as (opts: Record<string, number>) => (<T>(fn: () => Promise<T>) => Promise<T>) & { cancel(error: Error): void };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A loopback "broker" that hangs up on every connection, and counts them: each is an attempt. */
async function hangingUp(): Promise<{ port: number; attempts: () => number; close(): Promise<void> }> {
  let attempts = 0;
  const server = createServer((socket) => {
    attempts++;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { port, attempts: () => attempts, close: () => new Promise((r) => server.close(() => r())) };
}

function client(port: number): Kafka {
  return new Kafka({
    clientId: 'patch-test', brokers: [`127.0.0.1:${port}`], connectionTimeout: 200,
    retry: { initialRetryTime: 50, maxRetryTime: 200, retries: 1000 },
    logLevel: logLevel.NOTHING,
  });
}

describe('kafkajs patch: retries end on disconnect (patches/kafkajs+2.2.4+004+cancel-retries.patch)', () => {
  for (const kind of ['admin', 'producer', 'consumer'] as const) {
    it(`a${kind === 'admin' ? 'n' : ''} ${kind} disconnected while it retries to connect rejects its connect and never tries again`, async () => {
      const broker = await hangingUp();
      const kafka = client(broker.port);
      const made = kind === 'admin' ? kafka.admin() : kind === 'producer' ? kafka.producer() : kafka.consumer({ groupId: 'patch-test' });
      const connecting = made.connect().then(() => 'connected', (error: Error) => error.message);
      await sleep(500);
      expect(broker.attempts()).toBeGreaterThan(1); // retrying against a broker that hangs up
      await made.disconnect();
      expect(await Promise.race([connecting, sleep(1000).then(() => 'still retrying 1 s after the disconnect')])).toMatch(/disconnected/);
      const after = broker.attempts();
      await sleep(600); // three of its longest retry intervals
      expect(broker.attempts()).toBe(after);
      await broker.close();
    });
  }

  it('cancel() rejects every retry not yet settled and clears its timer; settled and later ones are untouched', async () => {
    const retrier = createRetry({ initialRetryTime: 100, retries: 100 });
    let calls = 0;
    const failing = retrier(async () => {
      calls++;
      throw Object.assign(new Error('retriable'), { retriable: true });
    }).catch((error: Error) => error.message);
    expect(await retrier(async () => 42)).toBe(42);
    await sleep(250);
    retrier.cancel(new Error('cancelled'));
    expect(await failing).toBe('cancelled');
    const made = calls;
    await sleep(400);
    expect(calls).toBe(made);
    expect(await retrier(async () => 'after')).toBe('after');
  });
});
