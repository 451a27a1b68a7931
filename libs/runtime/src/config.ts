// One place that reads the environment, so every service and the CLI agree on names and
// defaults (SPEC.md "Interfaces").
export interface OptlineConfig {
  /** Kafka bootstrap brokers. */
  kafkaBrokers: string[];
  /** True when OPTLINE_KAFKA_BROKERS was set: the local stack is then never started. */
  externalKafka: boolean;
  schemaRegistryUrl: string;
  ingressPort: number;
  apiPort: number;
  windowMs: number;
  windowGraceMs: number;
  stateDir: string;
  /** Partitions of topics this system creates. */
  partitions: number;
  /** Replication factor of topics this system creates (1 on the local single-node stack). */
  replicationFactor: number;
  /**
   * min.insync.replicas of topics this system creates: how many copies acks=all waits for.
   * Defaults to min(2, replicationFactor), so on a cluster of three a 2xx means two copies.
   */
  minInsyncReplicas: number;
  clientId: string;
  /**
   * Prefix of every topic name (OPTLINE_TOPIC_NAMESPACE, default none). Lets tests and several
   * deployments share one cluster without seeing each other's records.
   */
  topicNamespace: string;
}

export const LOCAL_BROKERS = '127.0.0.1:9092';
export const LOCAL_SCHEMA_REGISTRY_URL = 'http://127.0.0.1:8081/apis/ccompat/v7';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `1h`, `90s`, `1m`, `500ms`, `2h30m`; a bare number is milliseconds. */
export function parseDuration(text: string, variable = 'duration'): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed !== trimmed) {
    throw new ConfigError(variable, `'${text}' is not a duration (examples: 1h, 1m, 30s, 500ms)`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2] as string]!, 0);
}

function intFrom(env: NodeJS.ProcessEnv, variable: string, fallback: number, min: number, max: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(variable, `'${raw}' must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * Two copies before acks=all answers whenever there can be two; one more replica than that
 * lets a cluster of three lose a broker and still take writes.
 */
export function defaultMinInsyncReplicas(replicationFactor: number): number {
  return Math.min(2, replicationFactor);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): OptlineConfig {
  const brokers = env.OPTLINE_KAFKA_BROKERS?.trim();
  const windowMs = parseDuration(env.OPTLINE_WINDOW ?? '1h', 'OPTLINE_WINDOW');
  if (windowMs < 1000) throw new ConfigError('OPTLINE_WINDOW', 'must be at least 1s');
  const replicationFactor = intFrom(env, 'OPTLINE_REPLICATION_FACTOR', 1, 1, 10);
  const minInsyncReplicas = intFrom(env, 'OPTLINE_MIN_INSYNC_REPLICAS', defaultMinInsyncReplicas(replicationFactor), 1, 10);
  if (minInsyncReplicas > replicationFactor) {
    throw new ConfigError('OPTLINE_MIN_INSYNC_REPLICAS', `${minInsyncReplicas} must not exceed OPTLINE_REPLICATION_FACTOR (${replicationFactor}): no write could ever be acknowledged`);
  }
  return {
    kafkaBrokers: (brokers || LOCAL_BROKERS).split(',').map((b) => b.trim()).filter(Boolean),
    externalKafka: Boolean(brokers),
    schemaRegistryUrl: (env.OPTLINE_SCHEMA_REGISTRY_URL?.trim() || LOCAL_SCHEMA_REGISTRY_URL).replace(/\/+$/, ''),
    ingressPort: intFrom(env, 'OPTLINE_INGRESS_PORT', 8080, 0, 65535),
    apiPort: intFrom(env, 'OPTLINE_API_PORT', 8090, 0, 65535),
    windowMs,
    windowGraceMs: parseDuration(env.OPTLINE_WINDOW_GRACE ?? '1m', 'OPTLINE_WINDOW_GRACE'),
    stateDir: env.OPTLINE_STATE_DIR?.trim() || '.optline/state',
    partitions: intFrom(env, 'OPTLINE_PARTITIONS', 6, 1, 1000),
    replicationFactor,
    minInsyncReplicas,
    clientId: env.OPTLINE_CLIENT_ID?.trim() || 'optline',
    topicNamespace: env.OPTLINE_TOPIC_NAMESPACE?.trim() ?? '',
  };
}
