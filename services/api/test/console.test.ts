// The console's files at /console, open (the page asks for the token itself), and a clear 503
// when the console was never built.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { BlacklistClient } from '@optline/blacklist-client';
import type { AvroSerde } from '@optline/kafka';
import { createLogger } from '@optline/runtime';
import type { SettingsTable } from '@optline/settings-table';
import type { Producer } from 'kafkajs';
import { buildApiApp } from '../src/index.ts';
import { apiMetrics } from '../src/metrics.ts';

let app: FastifyInstance | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await app?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function build(consoleDir: string) {
  const registry = new Registry();
  app = await buildApiApp({
    logger: createLogger('api-test', 'silent'), registry, token: 't', bodyLimit: 65536, ready: () => ({ ready: false, reason: 'not yet' }), consoleDir,
    settings: {} as SettingsTable, blacklist: {} as BlacklistClient, commands: {} as never, history: {} as never, historyReady: () => false, reviewQueue: {} as never, producer: {} as Producer, serde: {} as AvroSerde, campaignTopic: 'c', metrics: apiMetrics(registry),
  });
  return app;
}

function built(): string {
  const dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>optline console</title>');
  writeFileSync(join(dir, 'app.js'), 'export {}');
  return dir;
}

describe('GET /console', () => {
  it('serves the page and its bundle without the token, even before the tables caught up', async () => {
    const a = await build(built());
    const page = await a.inject({ method: 'GET', url: '/console' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('optline console');
    expect((await a.inject({ method: 'GET', url: '/console/' })).statusCode).toBe(200);
    const bundle = await a.inject({ method: 'GET', url: '/console/app.js' });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect((await a.inject({ method: 'GET', url: '/console/missing.js' })).statusCode).toBe(404);
  });

  it('answers 503 console_not_built, saying how to build it, when dist/ is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-empty-'));
    dirs.push(dir);
    const res = await (await build(dir)).inject({ method: 'GET', url: '/console' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatchObject({ code: 'console_not_built', message: expect.stringContaining('npm run build -w @optline/console') });
  });
});
