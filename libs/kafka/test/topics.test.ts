import { describe, expect, it } from 'vitest';
import { loadConfig } from '@optline/runtime';
import { clusterTooSmall, topicConfig, TOPICS } from '../src/topics.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

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

describe('topicConfig: the replier\'s attempts are kept as long as their replies, no longer', () => {
  it('every copy of a reply intent is gone before its delivery record is, and the records do not pile up for ever', () => {
    const replies = topicConfig(TOPICS.replies, loadConfig({}));
    const attempts = topicConfig(TOPICS.replyAttempts, loadConfig({}));
    // A reply can be read until its segment is deleted: retention after the segment's last record, which
    // is at most segment.ms after its first.
    const replyReadableFor = Number(entry(replies, 'retention.ms')) + Number(entry(replies, 'segment.ms'));
    expect(replyReadableFor).toBeLessThanOrEqual(8 * DAY_MS);
    expect(Number(entry(attempts, 'retention.ms'))).toBeGreaterThan(replyReadableFor);
    expect(entry(attempts, 'cleanup.policy')).toBe('compact,delete');
    expect(entry(replies, 'cleanup.policy')).toBe('delete');
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
