import { join } from 'node:path';
import type { StackPaths } from './paths.ts';

export interface StackPorts {
  kafka: number;
  controller: number;
  registry: number;
}

/** One combined KRaft broker+controller of the local stack. */
export interface KafkaNode {
  id: number;
  /** The process name: `kafka` on a single-node stack (as before clusters), `kafka-<id>` in one. */
  name: string;
  kafkaPort: number;
  controllerPort: number;
  dataDir: string;
  propsFile: string;
}

export const MAX_BROKERS = 4;

export function brokerCount(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_BROKERS) throw new RangeError(`brokers: '${raw}' must be a whole number from 1 to ${MAX_BROKERS}`);
  return n;
}

/**
 * Node i listens on kafka + 2(i-1) and controller + 2(i-1): with the defaults 9092/9093,
 * 9094/9095, 9096/9097, so a cluster of three fits a block of eight ports.
 */
export function kafkaNodes(paths: StackPaths, p: StackPorts, count: number): KafkaNode[] {
  if (count === 1) {
    return [{ id: 1, name: 'kafka', kafkaPort: p.kafka, controllerPort: p.controller, dataDir: paths.kafkaData, propsFile: join(paths.run, 'server.properties') }];
  }
  const nodes = Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    name: `kafka-${i + 1}`,
    kafkaPort: p.kafka + 2 * i,
    controllerPort: p.controller + 2 * i,
    dataDir: `${paths.kafkaData}-${i + 1}`,
    propsFile: join(paths.run, `server-${i + 1}.properties`),
  }));
  const used = nodes.flatMap((n) => [n.kafkaPort, n.controllerPort]).concat(p.registry);
  if (new Set(used).size !== used.length) {
    throw new RangeError(`ports of a ${count}-node stack collide (${used.join(', ')}): set OPTLINE_STACK_CONTROLLER_PORT to OPTLINE_STACK_KAFKA_PORT + 1 and the registry outside them`);
  }
  return nodes;
}

/**
 * Every internal topic replicated as far as the cluster allows: on one node replication 1, so
 * transactions and consumer groups work at all; on three, replication 3 with two copies in
 * sync before a write counts, so one node may die without losing or refusing anything.
 */
export function serverProperties(node: KafkaNode, nodes: readonly KafkaNode[]): string {
  const replication = Math.min(3, nodes.length);
  const minIsr = Math.min(2, replication);
  const voters = nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',');
  return `process.roles=broker,controller
node.id=${node.id}
controller.quorum.voters=${voters}
listeners=PLAINTEXT://127.0.0.1:${node.kafkaPort},CONTROLLER://127.0.0.1:${node.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${node.kafkaPort}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=${node.dataDir}
num.partitions=6
auto.create.topics.enable=false
default.replication.factor=${replication}
min.insync.replicas=${minIsr}
offsets.topic.replication.factor=${replication}
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=${replication}
transaction.state.log.min.isr=${minIsr}
transaction.state.log.num.partitions=6
share.coordinator.state.topic.replication.factor=${replication}
share.coordinator.state.topic.min.isr=${minIsr}
unclean.leader.election.enable=false
group.initial.rebalance.delay.ms=0
log.segment.bytes=67108864
${nodes.length > 1 ? CLUSTER_TIMING : ''}`;
}

// A node killed on loopback is noticed in seconds instead of Kafka's 9 s default, so that
// leaders move (and ingress' pause ends) quickly; heartbeats stay cheap at this rate.
const CLUSTER_TIMING = `broker.session.timeout.ms=4000
broker.heartbeat.interval.ms=1000
`;
