import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration } from '../src/config.ts';

describe('parseDuration', () => {
  it.each([
    ['1h', 3_600_000],
    ['1m', 60_000],
    ['30s', 30_000],
    ['500ms', 500],
    ['2h30m', 9_000_000],
    ['1500', 1500],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('names the variable and shows examples for a bad value', () => {
    expect(() => parseDuration('an hour', 'OPTLINE_WINDOW')).toThrow(/OPTLINE_WINDOW: 'an hour' is not a duration \(examples: 1h/);
  });
});

describe('loadConfig', () => {
  it('defaults to the local stack and SPEC.md ports and windows', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ kafkaBrokers: ['127.0.0.1:9092'], externalKafka: false, ingressPort: 8080, apiPort: 8090, windowMs: 3_600_000, windowGraceMs: 60_000, partitions: 6, topicNamespace: '' });
    expect(c.schemaRegistryUrl).toBe('http://127.0.0.1:8081/apis/ccompat/v7');
  });

  it('reads the environment', () => {
    const c = loadConfig({ OPTLINE_KAFKA_BROKERS: 'a:1, b:2', OPTLINE_WINDOW: '5s', OPTLINE_INGRESS_PORT: '9000' });
    expect(c.kafkaBrokers).toEqual(['a:1', 'b:2']);
    expect(c.externalKafka).toBe(true);
    expect(c.windowMs).toBe(5000);
    expect(c.ingressPort).toBe(9000);
  });

  it('rejects a bad port with the variable name', () => {
    expect(() => loadConfig({ OPTLINE_API_PORT: 'http' })).toThrow(ConfigError);
    expect(() => loadConfig({ OPTLINE_API_PORT: '70000' })).toThrow(/OPTLINE_API_PORT: '70000' must be a whole number from 0 to 65535/);
  });

  it('min.insync.replicas: min(2, replication) by default, the variable when set, never above replication', () => {
    expect([loadConfig({}).replicationFactor, loadConfig({}).minInsyncReplicas]).toEqual([1, 1]);
    expect(loadConfig({ OPTLINE_REPLICATION_FACTOR: '3' }).minInsyncReplicas).toBe(2);
    expect(loadConfig({ OPTLINE_REPLICATION_FACTOR: '3', OPTLINE_MIN_INSYNC_REPLICAS: '3' }).minInsyncReplicas).toBe(3);
    expect(() => loadConfig({ OPTLINE_REPLICATION_FACTOR: '3', OPTLINE_MIN_INSYNC_REPLICAS: '4' })).toThrow(/OPTLINE_MIN_INSYNC_REPLICAS: 4 must not exceed OPTLINE_REPLICATION_FACTOR \(3\)/);
  });
});
