import { describe, expect, it } from 'vitest';
import { loadConfig } from '@optline/runtime';
import { clusterTooSmall, topicConfig, TOPICS } from '../src/topics.ts';

const entry = (cfg: ReturnType<typeof topicConfig>, name: string) => cfg.configEntries?.find((e) => e.name === name)?.value;

describe('topicConfig: replication and min.insync.replicas', () => {
  it('on a cluster of three (replication 3) acks=all waits for two copies', () => {
    const cfg = topicConfig(TOPICS.inbound, loadConfig({ OPTLINE_REPLICATION_FACTOR: '3' }));
    expect(cfg.replicationFactor).toBe(3);
    expect(entry(cfg, 'min.insync.replicas')).toBe('2');
  });

  it('on one broker (replication 1) one copy is all there can be', () => {
    const cfg = topicConfig(TOPICS.blacklist, loadConfig({}));
    expect(cfg.replicationFactor).toBe(1);
    expect(entry(cfg, 'min.insync.replicas')).toBe('1');
    expect(entry(cfg, 'cleanup.policy')).toBe('compact');
  });

  it('takes OPTLINE_MIN_INSYNC_REPLICAS when set', () => {
    const cfg = topicConfig(TOPICS.facts, loadConfig({ OPTLINE_REPLICATION_FACTOR: '5', OPTLINE_MIN_INSYNC_REPLICAS: '3' }));
    expect([cfg.replicationFactor, entry(cfg, 'min.insync.replicas')]).toEqual([5, '3']);
  });

  it('a caller that gives no min ISR gets the default rule', () => {
    expect(entry(topicConfig(TOPICS.facts, { partitions: 2, replicationFactor: 3 }), 'min.insync.replicas')).toBe('2');
    expect(entry(topicConfig(TOPICS.facts, { partitions: 2, replicationFactor: 2 }), 'min.insync.replicas')).toBe('2');
  });
});

describe('clusterTooSmall', () => {
  it('is fine when there are at least as many brokers as replicas', () => {
    expect(clusterTooSmall(['a:1', 'b:2', 'c:3'], { partitions: 6, replicationFactor: 3 })).toBeUndefined();
    expect(clusterTooSmall(['a:1'], { partitions: 6, replicationFactor: 1 })).toBeUndefined();
  });

  it('names the variable, the asked factor, and the brokers it sees', () => {
    const why = clusterTooSmall(['127.0.0.1:9092'], { partitions: 6, replicationFactor: 3 });
    expect(why).toMatch(/^OPTLINE_REPLICATION_FACTOR is 3, but the cluster has 1 broker\(s\) \(127\.0\.0\.1:9092\)/);
    expect(why).toContain('--brokers 3');
  });
});
