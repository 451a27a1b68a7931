// patches/kafkajs+2.2.4+005+produce-retry.patch: a send retried after a leader moved writes
// every record exactly once. kafkajs' sendMessages remembered which BROKERS had answered, not
// which partitions were written, and retried while requests of the failed attempt were still in
// flight. So, with a node killed under load (issue #21):
// - a partition whose leader moved to a broker that had already answered for other partitions
//   was never sent again, and the send resolved: the record was lost (in a transaction too,
//   which then committed without it: a flush's campaign event, a matcher's fact);
// - a broker still working on the first attempt got the same records again under the next
//   sequence numbers once it answered: the records were written twice (ingress' first-try
//   duplicate on sms.inbound.v1).
// The brokers here are stand-ins with the broker's idempotence rule (a batch at the partition's
// next sequence is appended, one at an earlier sequence is a duplicate and acknowledged, one at
// a later sequence is refused), over one log per partition that moves with its leader.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
type Fn = (...args: any[]) => any;
const sendMessagesOf = require('kafkajs/src/producer/sendMessages.js') as Fn;
const createEosManager = require('kafkajs/src/producer/eosManager/index.js') as Fn;
const createRetry = require('kafkajs/src/retry/index.js') as Fn;
const createDefaultPartitioner = require('kafkajs/src/producer/partitioners/default/index.js') as Fn;
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as { createErrorFromCode: (code: number) => Error };
const { KafkaJSConnectionError } = require('kafkajs/src/errors.js') as { KafkaJSConnectionError: new (m: string) => Error };

const TOPIC = 't';
const NOT_LEADER = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = { debug() {}, info() {}, warn() {}, error() {}, namespace() { return quiet; } };

interface PartitionLog {
  records: string[];
  nextSequence: number;
}

type Produce = (nodeId: number, attempt: number, partitions: number[]) => Promise<void> | void;

/** A cluster of stand-in brokers; `leaders` says who leads each partition now, `produce` what a request meets. */
function cluster(leaders: Map<number, number>, produce: Produce) {
  const logs = new Map<number, PartitionLog>();
  const requests: Array<{ nodeId: number; partitions: number[] }> = [];
  const attempts = new Map<number, number>();
  const broker = (nodeId: number) => ({
    nodeId,
    async initProducerId() {
      return { producerId: '1000', producerEpoch: 0 };
    },
    async produce({ topicData }: { topicData: Array<{ topic: string; partitions: Array<{ partition: number; firstSequence: number; messages: Array<{ value: string }> }> }> }) {
      const partitions = topicData.flatMap((t) => t.partitions.map((p) => p.partition));
      requests.push({ nodeId, partitions });
      const attempt = (attempts.get(nodeId) ?? 0) + 1;
      attempts.set(nodeId, attempt);
      await produce(nodeId, attempt, partitions);
      // Each partition on its own, as a broker does; kafkajs fails the whole response on the first error.
      const acked = [];
      let refused = false;
      for (const p of topicData[0]!.partitions) {
        if (leaders.get(p.partition) !== nodeId) {
          refused = true;
          continue;
        }
        const log = logs.get(p.partition) ?? { records: [], nextSequence: 0 };
        logs.set(p.partition, log);
        if (p.firstSequence > log.nextSequence) throw createErrorFromCode(45); // OUT_OF_ORDER_SEQUENCE_NUMBER
        if (p.firstSequence === log.nextSequence) {
          log.records.push(...p.messages.map((m) => m.value));
          log.nextSequence += p.messages.length;
        } // else: a duplicate of a batch already written, acknowledged without writing it again
        acked.push({ partition: p.partition, errorCode: 0, baseOffset: '0', logAppendTime: '-1', logStartOffset: '0' });
      }
      if (refused) throw createErrorFromCode(NOT_LEADER);
      return { topics: [{ topicName: TOPIC, partitions: acked }] };
    },
  });
  const brokers = new Map([1, 2, 3].map((id) => [id, broker(id)]));
  const fake = {
    retry: { initialRetryTime: 50, retries: 10 },
    isConnected: () => true,
    async refreshMetadata() {},
    async refreshMetadataIfNecessary() {},
    async addMultipleTargetTopics() {},
    findControllerBroker: async () => brokers.get(1),
    findTopicPartitionMetadata: () => [...leaders].map(([partitionId, leader]) => ({ partitionId, leader })),
    findLeaderForPartitions(_topic: string, partitions: Array<string | number>) {
      const out: Record<number, number[]> = {};
      for (const p of partitions) (out[leaders.get(Number(p))!] ??= []).push(Number(p));
      return out;
    },
    findBroker: async ({ nodeId }: { nodeId: number | string }) => brokers.get(Number(nodeId)),
  };
  return { fake, logs, requests };
}

async function send(c: ReturnType<typeof cluster>, messages: Array<{ partition: number; value: string }>) {
  const eosManager = createEosManager({ logger: quiet, cluster: c.fake, transactional: false });
  await eosManager.initProducerId();
  const sendMessages = sendMessagesOf({
    logger: quiet, cluster: c.fake, eosManager, partitioner: createDefaultPartitioner(),
    retrier: createRetry({ initialRetryTime: 50, maxRetryTime: 200, retries: 10 }),
  });
  return sendMessages({ acks: -1, timeout: 30_000, topicMessages: [{ topic: TOPIC, messages }] });
}

const written = (c: ReturnType<typeof cluster>) => [...c.logs].sort(([a], [b]) => a - b).map(([p, log]) => [p, log.records]);

describe('kafkajs patch: a produce retried across a leader move (patches/kafkajs+2.2.4+005+produce-retry.patch)', () => {
  it('is applied to the installed kafkajs (a checkout installed before the patch landed: run `npx patch-package`)', () => {
    const source = readFileSync(require.resolve('kafkajs/src/producer/sendMessages.js'), 'utf8');
    expect(source.includes('Patched (optline)'), 'node_modules/kafkajs lacks patches/kafkajs+2.2.4+005+produce-retry.patch: run `npx patch-package`').toBe(true);
  });

  it('a partition whose leader moved to a broker that already answered is sent again, not dropped', async () => {
    const leaders = new Map([[0, 1], [1, 2]]);
    // Node 1 dies with the request; its partition moves to node 2, which has answered for partition 1.
    const c = cluster(leaders, (nodeId, attempt) => {
      if (nodeId === 1 && attempt === 1) {
        leaders.set(0, 2);
        throw new KafkaJSConnectionError('Connection error: node 1 killed');
      }
    });
    await send(c, [{ partition: 0, value: 'a' }, { partition: 1, value: 'b' }]);
    expect(written(c)).toEqual([[0, ['a']], [1, ['b']]]);
  });

  it('a broker still busy with the first attempt is not sent the same records again under new sequence numbers', async () => {
    const leaders = new Map([[0, 1], [1, 2]]);
    // Node 1 fails at once; node 2 acknowledges only after 400 ms (acks=all waiting for the ISR
    // to drop the dead node), well after the first retry.
    const c = cluster(leaders, async (nodeId, attempt) => {
      if (nodeId === 1 && attempt === 1) {
        leaders.set(0, 3);
        throw new KafkaJSConnectionError('Connection error: node 1 killed');
      }
      if (nodeId === 2 && attempt === 1) await sleep(400);
    });
    await send(c, [{ partition: 0, value: 'a' }, { partition: 1, value: 'b' }]);
    expect(written(c)).toEqual([[0, ['a']], [1, ['b']]]);
  });

  it('a request refused for one partition is sent again whole, under the same sequence numbers: the partition it wrote is not written twice', async () => {
    const leaders = new Map([[0, 1], [1, 1]]);
    // Node 1 writes partition 0 but no longer leads partition 1 (moved to node 2): the whole
    // response is an error, partition 0's retry is a duplicate the broker acknowledges.
    const c = cluster(leaders, (nodeId, attempt) => {
      if (nodeId === 1 && attempt === 1) leaders.set(1, 2);
    });
    await send(c, [{ partition: 0, value: 'a' }, { partition: 1, value: 'b' }]);
    expect(written(c)).toEqual([[0, ['a']], [1, ['b']]]);
    expect(c.requests.length).toBeGreaterThan(1);
  });
});
