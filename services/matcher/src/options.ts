import { ConfigError, parseDuration } from '@optline/runtime';

/** Matcher-only settings, read from the environment next to the shared OptlineConfig. */
export interface MatcherSettings {
  /** OPTLINE_MATCHER_SESSION_TIMEOUT (default 10s): how long a crashed instance keeps its partitions (after a kill -9, the restarted one waits that long to process). */
  sessionTimeoutMs: number;
  /** OPTLINE_MATCHER_CONCURRENCY (default 6, the default partition count): input partitions processed at once. */
  concurrency: number;
  /** OPTLINE_MATCHER_MAX_RECORDS_PER_TRANSACTION (default 40000): larger transactions write a changed key's state once for more replies. */
  maxRecordsPerTransaction: number;
  /** OPTLINE_MATCHER_COMMIT_INTERVAL (default 1s, 10ms to 30s): a transaction commits once it has processed this long, or at the record bound, whichever comes first. */
  commitIntervalMs: number;
}

function whole(env: NodeJS.ProcessEnv, variable: string, fallback: number, min: number, max: number): number {
  const raw = env[variable]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(variable, `'${raw}' must be a whole number from ${min} to ${max}`);
  return value;
}

export function loadMatcherSettings(env: NodeJS.ProcessEnv = process.env): MatcherSettings {
  const session = parseDuration(env.OPTLINE_MATCHER_SESSION_TIMEOUT?.trim() || '10s', 'OPTLINE_MATCHER_SESSION_TIMEOUT');
  // The broker refuses sessions outside group.min/max.session.timeout.ms (6 s and 30 min by default).
  if (session < 6000 || session > 1_800_000) throw new ConfigError('OPTLINE_MATCHER_SESSION_TIMEOUT', 'must be from 6s to 30m');
  const interval = parseDuration(env.OPTLINE_MATCHER_COMMIT_INTERVAL?.trim() || '1s', 'OPTLINE_MATCHER_COMMIT_INTERVAL');
  // Under the transaction timeout (60 s) with room for the commit itself.
  if (interval < 10 || interval > 30_000) throw new ConfigError('OPTLINE_MATCHER_COMMIT_INTERVAL', 'must be from 10ms to 30s');
  return {
    sessionTimeoutMs: session,
    commitIntervalMs: interval,
    concurrency: whole(env, 'OPTLINE_MATCHER_CONCURRENCY', 6, 1, 64),
    maxRecordsPerTransaction: whole(env, 'OPTLINE_MATCHER_MAX_RECORDS_PER_TRANSACTION', 40_000, 1, 50_000),
  };
}
