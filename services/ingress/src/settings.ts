import { ConfigError, parseDuration } from '@optline/runtime';
import { parseBasicCredentials, type BasicCredentials } from '@optline/http';

/** Ingress-only settings, read from the environment next to the shared OptlineConfig. */
export interface IngressSettings {
  /** OPTLINE_INGRESS_HOST (default 127.0.0.1); forced to loopback when no auth is configured. */
  host: string;
  /** OPTLINE_INGRESS_BASIC_AUTH=user:password */
  basicAuth: BasicCredentials | null;
  /** OPTLINE_SINCH_HMAC_SECRET, and OPTLINE_SINCH_HMAC_MAX_AGE (default 5m): older or future timestamps are refused. */
  hmac: { secret: string; maxAgeMs: number } | null;
  /** OPTLINE_INGRESS_PUBLISH_TIMEOUT (default 5s): past it without the broker's acknowledgement, 503. */
  publishTimeoutMs: number;
  /** OPTLINE_INGRESS_PRODUCERS (default 4): idempotent producers publishing side by side; each has one request in flight, so more of them answer sooner under load. */
  producers: number;
  /** Largest callback body accepted (413 above). */
  bodyLimit: number;
}

export const INGRESS_BODY_LIMIT = 64 * 1024;

function duration(env: NodeJS.ProcessEnv, variable: string, fallback: string, minMs: number, maxMs: number): number {
  const ms = parseDuration(env[variable]?.trim() || fallback, variable);
  if (ms < minMs || ms > maxMs) throw new ConfigError(variable, `must be from ${minMs} ms to ${maxMs} ms`);
  return ms;
}

function producerCount(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 4;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new ConfigError('OPTLINE_INGRESS_PRODUCERS', `'${raw}' must be a whole number from 1 to 16`);
  return n;
}

export function loadIngressSettings(env: NodeJS.ProcessEnv = process.env): IngressSettings {
  const basic = env.OPTLINE_INGRESS_BASIC_AUTH?.trim();
  const secret = env.OPTLINE_SINCH_HMAC_SECRET?.trim();
  return {
    host: env.OPTLINE_INGRESS_HOST?.trim() || '127.0.0.1',
    basicAuth: basic ? parseBasicCredentials(basic, 'OPTLINE_INGRESS_BASIC_AUTH') : null,
    hmac: secret ? { secret, maxAgeMs: duration(env, 'OPTLINE_SINCH_HMAC_MAX_AGE', '5m', 1000, 86_400_000) } : null,
    // Sinch gives a callback about 10 s before it counts as failed: stay well below.
    publishTimeoutMs: duration(env, 'OPTLINE_INGRESS_PUBLISH_TIMEOUT', '5s', 100, 60_000),
    producers: producerCount(env.OPTLINE_INGRESS_PRODUCERS),
    bodyLimit: INGRESS_BODY_LIMIT,
  };
}
