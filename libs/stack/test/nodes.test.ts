import { describe, expect, it } from 'vitest';
import { brokerCount, kafkaNodes, serverProperties } from '../src/nodes.ts';
import { stackPaths } from '../src/paths.ts';

const paths = stackPaths('/tmp/optline-nodes-test');
const props = (text: string) => Object.fromEntries(text.trim().split('\n').map((l) => l.split('=') as [string, string]));

describe('kafkaNodes', () => {
  it('one node keeps the single-node names, folder and ports', () => {
    expect(kafkaNodes(paths, { kafka: 9092, controller: 9093, registry: 8081 }, 1)).toEqual([
      { id: 1, name: 'kafka', kafkaPort: 9092, controllerPort: 9093, dataDir: paths.kafkaData, propsFile: `${paths.run}/server.properties` },
    ]);
  });

  it('three nodes: ports two apart, a data folder each, within 48092-48099', () => {
    const nodes = kafkaNodes(paths, { kafka: 48092, controller: 48093, registry: 48081 }, 3);
    expect(nodes.map((n) => [n.name, n.kafkaPort, n.controllerPort])).toEqual([
      ['kafka-1', 48092, 48093],
      ['kafka-2', 48094, 48095],
      ['kafka-3', 48096, 48097],
    ]);
    expect(new Set(nodes.map((n) => n.dataDir)).size).toBe(3);
  });

  it('refuses ports that collide', () => {
    expect(() => kafkaNodes(paths, { kafka: 9092, controller: 9094, registry: 8081 }, 3)).toThrow(/ports of a 3-node stack collide/);
  });
});

describe('serverProperties', () => {
  it('a cluster of three: every node a voter, internal topics at replication 3 and min ISR 2, no unclean election', () => {
    const nodes = kafkaNodes(paths, { kafka: 48092, controller: 48093, registry: 48081 }, 3);
    const p = props(serverProperties(nodes[1]!, nodes));
    expect(p['node.id']).toBe('2');
    expect(p['controller.quorum.voters']).toBe('1@127.0.0.1:48093,2@127.0.0.1:48095,3@127.0.0.1:48097');
    expect(p['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:48094');
    expect(p['log.dirs']).toBe(nodes[1]!.dataDir);
    expect(p).toMatchObject({
      'offsets.topic.replication.factor': '3',
      'transaction.state.log.replication.factor': '3',
      'transaction.state.log.min.isr': '2',
      'default.replication.factor': '3',
      'min.insync.replicas': '2',
      'unclean.leader.election.enable': 'false',
    });
  });

  it('one node: everything at replication 1', () => {
    const nodes = kafkaNodes(paths, { kafka: 9092, controller: 9093, registry: 8081 }, 1);
    const p = props(serverProperties(nodes[0]!, nodes));
    expect(p).toMatchObject({ 'controller.quorum.voters': '1@127.0.0.1:9093', 'offsets.topic.replication.factor': '1', 'transaction.state.log.min.isr': '1', 'min.insync.replicas': '1' });
    expect(p['broker.session.timeout.ms']).toBeUndefined();
  });
});

describe('brokerCount', () => {
  it('defaults to one and refuses what is not 1..4', () => {
    expect(brokerCount(undefined)).toBe(1);
    expect(brokerCount('3')).toBe(3);
    expect(() => brokerCount('0')).toThrow(/from 1 to 4/);
    expect(() => brokerCount('three')).toThrow(/'three'/);
  });
});
