// GET /v1/projects: the console's project picker, from the settings table in memory.
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { BlacklistClient } from '@optline/blacklist-client';
import { validateSettings, type SmsSettings } from '@optline/core';
import type { AvroSerde } from '@optline/kafka';
import { createLogger } from '@optline/runtime';
import type { SettingsTable } from '@optline/settings-table';
import type { Producer } from 'kafkajs';
import { buildApiApp } from '../src/index.ts';
import { apiMetrics } from '../src/metrics.ts';

let app: FastifyInstance | undefined;
afterEach(async () => app?.close());

function stored(project: string, numbers: string[]): SmsSettings {
  const result = validateSettings(project, { trackIncoming: true, optOutEnabled: false, dedicatedNumbers: numbers }, { now: 1_000 });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.settings;
}

describe('GET /v1/projects', () => {
  it('lists every project with settings, by name, with its version and numbers; 401 without the token', async () => {
    const all = [stored('zeta', ['12345']), stored('alpha', ['+421 905 123 456', '54321'])];
    const registry = new Registry();
    app = await buildApiApp({
      logger: createLogger('api-test', 'silent'), registry, token: 't', bodyLimit: 65536, ready: () => ({ ready: true }),
      settings: { all: () => all.values() } as unknown as SettingsTable, blacklist: {} as BlacklistClient, commands: {} as never, history: {} as never, historyReady: () => false, reviewQueue: {} as never, producer: {} as Producer,
      serde: {} as AvroSerde, campaignTopic: 'c', metrics: apiMetrics(registry),
    });
    const res = await app.inject({ method: 'GET', url: '/v1/projects', headers: { authorization: 'Bearer t' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      projects: [
        { project: 'alpha', version: 1, updatedAt: 1_000, dedicatedNumbers: ['00421905123456', '54321'] },
        { project: 'zeta', version: 1, updatedAt: 1_000, dedicatedNumbers: ['12345'] },
      ],
    });
    expect((await app.inject({ method: 'GET', url: '/v1/projects' })).statusCode).toBe(401);
  });
});
