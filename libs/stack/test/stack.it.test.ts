import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createConnection } from 'node:net';

const run = promisify(execFile);
const cli = join(import.meta.dirname, '..', '..', '..', 'services', 'cli', 'bin', 'optline.mjs');

// A second, private stack on other ports and in a temporary home, so this test exercises the
// real `optline stack` commands without touching the stack the rest of the suite uses.
const home = mkdtempSync(join(tmpdir(), 'optline-stack-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  OPTLINE_STACK_HOME: home,
  OPTLINE_STACK_KAFKA_PORT: '19092',
  OPTLINE_STACK_CONTROLLER_PORT: '19093',
  OPTLINE_STACK_REGISTRY_PORT: '18081',
};
delete env.OPTLINE_KAFKA_BROKERS;
delete env.OPTLINE_SCHEMA_REGISTRY_URL;

const stack = (action: string) => run('node', [cli, 'stack', action], { env, timeout: 240_000 });

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

afterAll(async () => {
  await stack('down').catch(() => undefined);
  rmSync(home, { recursive: true, force: true });
});

describe('optline stack', () => {
  it('up starts Kafka and the registry, a second up finds them, status reports them, down frees every port', async () => {
    const first = await stack('up');
    expect(first.stdout).toContain('127.0.0.1:19092');
    expect(first.stdout).toContain('http://127.0.0.1:18081/apis/ccompat/v7');
    expect(first.stderr).toMatch(/started kafka, schema-registry/);

    const second = await stack('up');
    expect(second.stderr).toMatch(/already running/);

    const status = await stack('status');
    expect(status.stdout).toMatch(/kafka\s+pid \d+.*127\.0\.0\.1:19092\s+answering/);
    expect(status.stdout).toMatch(/schema-registry\s+pid \d+.*18081.*answering/);
    const res = await fetch('http://127.0.0.1:18081/apis/ccompat/v7/subjects');
    expect(res.status).toBe(200);

    const down = await stack('down');
    expect(down.stderr).toMatch(/stopped schema-registry/);
    expect(down.stderr).toMatch(/stopped kafka/);
    for (const port of [19092, 19093, 18081, 19081]) expect(await portOpen(port), `port ${port}`).toBe(false);

    const after = await stack('status');
    expect(after.stdout).toMatch(/kafka\s+not started by optline.*not answering/);
  }, 300_000);

  it('refuses to start on a port another process holds, and says what to do', async () => {
    const { createServer } = await import('node:net');
    const squatter = createServer().listen(19092, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    try {
      const error = (await stack('up').catch((e: unknown) => e)) as { code: number; stderr: string };
      expect(error.code).toBe(1);
      expect(error.stderr).toMatch(/port 19092 \(Kafka\) is already taken/);
      expect(error.stderr).toMatch(/what to do:/);
    } finally {
      squatter.close();
    }
  });
});
