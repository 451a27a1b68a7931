import { rmSync } from 'node:fs';
import { stackDown, stackUp, type UpResult } from '@optline/stack';

// Starting a private stack, shared by the test files that kill brokers and by the global setup
// of the suite on a cluster (so no vitest here: a global setup runs outside the test workers).

/** The environment of a stack of `brokers` nodes in `home` on these ports, whatever the shell exported. */
export function privateStackEnv(home: string, p: { kafkaPort: number; controllerPort: number; registryPort: number; brokers: number }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPTLINE_STACK_HOME: home,
    OPTLINE_STACK_KAFKA_PORT: String(p.kafkaPort),
    OPTLINE_STACK_CONTROLLER_PORT: String(p.controllerPort),
    OPTLINE_STACK_REGISTRY_PORT: String(p.registryPort),
    OPTLINE_STACK_BROKERS: String(p.brokers),
  };
  delete env.OPTLINE_KAFKA_BROKERS;
  delete env.OPTLINE_SCHEMA_REGISTRY_URL;
  return env;
}

/**
 * The ports a test is given lie in Linux's ephemeral range (32768-60999): a client socket of any
 * process may hold one for a moment, and a node then fails to bind; on a loaded machine a node
 * may also miss the start's deadline. A failed start is stopped (no process left behind) and
 * tried again; the third failure is the caller's, with the home removed.
 */
export async function upWithRetry(env: NodeJS.ProcessEnv, progress: (line: string) => void = () => undefined): Promise<UpResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await stackUp(progress, env);
    } catch (err) {
      await stackDown(() => undefined, env).catch(() => undefined);
      if (attempt === 3) {
        rmSync(env.OPTLINE_STACK_HOME!, { recursive: true, force: true });
        throw err;
      }
      process.stderr.write(`[private stack] start ${attempt} failed, trying again: ${(err as Error).message.split('\n')[0]}\n`);
    }
  }
}
