import { describe, expect, it } from 'vitest';
import { ConfigError } from '@optline/runtime';
import { loadMatcherSettings } from '../src/options.ts';

describe('loadMatcherSettings', () => {
  it('has defaults and reads the OPTLINE_MATCHER_* variables', () => {
    expect(loadMatcherSettings({})).toEqual({ sessionTimeoutMs: 10_000, concurrency: 6, maxRecordsPerTransaction: 40_000, commitIntervalMs: 1000 });
    expect(loadMatcherSettings({ OPTLINE_MATCHER_SESSION_TIMEOUT: '10s', OPTLINE_MATCHER_CONCURRENCY: '2', OPTLINE_MATCHER_MAX_RECORDS_PER_TRANSACTION: '500', OPTLINE_MATCHER_COMMIT_INTERVAL: '250ms' }))
      .toEqual({ sessionTimeoutMs: 10_000, concurrency: 2, maxRecordsPerTransaction: 500, commitIntervalMs: 250 });
  });

  it('names the variable and the rule when a value is refused', () => {
    expect(() => loadMatcherSettings({ OPTLINE_MATCHER_SESSION_TIMEOUT: '1s' })).toThrow(/OPTLINE_MATCHER_SESSION_TIMEOUT: must be from 6s to 30m/);
    expect(() => loadMatcherSettings({ OPTLINE_MATCHER_CONCURRENCY: 'many' })).toThrow(ConfigError);
    expect(() => loadMatcherSettings({ OPTLINE_MATCHER_MAX_RECORDS_PER_TRANSACTION: '0' })).toThrow(/OPTLINE_MATCHER_MAX_RECORDS_PER_TRANSACTION: '0' must be a whole number from 1 to 50000/);
    expect(() => loadMatcherSettings({ OPTLINE_MATCHER_COMMIT_INTERVAL: '1m' })).toThrow(/OPTLINE_MATCHER_COMMIT_INTERVAL: must be from 10ms to 30s/);
  });
});
