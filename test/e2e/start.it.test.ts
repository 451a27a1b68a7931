import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { uniqueName } from '../support/index.ts';
import { StartProcess } from '../support/start-process.ts';

// `npm start` as a newcomer sees it (issue #14): on a terminal the log is readable lines, and a
// normal start prints no warning or error line, neither optline's nor Node's own (a line a
// newcomer reads as trouble is noise unless something is wrong). Without Sinch credentials the
// start says plainly that replies go to a local sandbox. Ctrl-C (SIGINT) then stops it all.

const stateDir = mkdtempSync(join(tmpdir(), 'optline-start-state-'));
let system: StartProcess | undefined;

afterAll(async () => {
  await system?.kill();
  rmSync(stateDir, { recursive: true, force: true });
});

it('a normal start on a terminal logs readable lines, no warning, says replies go to a sandbox, and Ctrl-C stops it', async () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPTLINE_TOPIC_NAMESPACE: uniqueName('it-start'),
    OPTLINE_STATE_DIR: stateDir,
    OPTLINE_INGRESS_PORT: '0',
    OPTLINE_API_PORT: '0',
    OPTLINE_METRICS_PORT: '0',
    OPTLINE_SINCH_SANDBOX_PORT: '0',
    // What a terminal gets (stderr is a pipe here, so say it): pino-pretty lines, info level.
    OPTLINE_LOG_FORMAT: 'pretty',
    OPTLINE_LOG_LEVEL: 'info',
  };
  for (const key of ['OPTLINE_SINCH_SERVICE_PLAN_ID', 'OPTLINE_SINCH_API_TOKEN', 'OPTLINE_API_TOKEN', 'OPTLINE_INGRESS_BASIC_AUTH', 'NODE_OPTIONS']) delete env[key];
  system = new StartProcess(env);
  await system.running();
  // Group joins and task assignment finish after the banner: that is when kafkajs used to warn.
  await new Promise((r) => setTimeout(r, 8_000));

  const lines = system.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines.length).toBeGreaterThan(5);
  expect(lines.filter((l) => l.trimStart().startsWith('{')), 'pretty lines, not JSON').toEqual([]);
  expect(lines.filter((l) => /\b(WARN|ERROR|FATAL)\b|Warning:|Deprecation/.test(l)), 'warning lines during a normal start').toEqual([]);
  expect(system.stdout).toContain('optline is running');
  expect(system.stdout).toMatch(/sinch sandbox .*NO SMS IS SENT/);

  const signalled = Date.now();
  system.signal('SIGINT');
  const exit = await Promise.race([system.exited, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
  expect(exit, `still running 15 s after SIGINT: ${system.stderr.slice(-1500)}`).not.toBeNull();
  process.stdout.write(`start: stopped ${exit!.at - signalled} ms after SIGINT, exit code ${exit!.code}\n`);
  expect(exit!.code).toBe(0);
  expect(exit!.at - signalled).toBeLessThan(10_000);
  // Helpers of the process (tsx's esbuild service) end once their pipe to it closes.
  while (system.groupAlive() && Date.now() - signalled < 10_000) await new Promise((r) => setTimeout(r, 50));
  expect(system.groupAlive(), 'a process of the group still runs 10 s after SIGINT').toBe(false);
}, 180_000);
