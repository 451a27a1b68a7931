import { describe, it } from 'vitest';
import { privateStackForFile } from '../support/private-stack.ts';
import { wholeSystemThroughLeaderMoves } from './whole-system.ts';

// The whole system on a private three-node cluster under light load, through one leader move
// (`npm run test:cluster:system`; what it checks and what it found: README, Tests).
// Ports can be moved (OPTLINE_TEST_CLUSTER_PORT_BASE=26000 gives 26092-26097 and 26081/27081) so
// that two checkouts run it at once.
const base = Number(process.env.OPTLINE_TEST_CLUSTER_PORT_BASE ?? 25000);
const stack = privateStackForFile({ name: 'cluster-system', kafkaPort: base + 92, controllerPort: base + 93, registryPort: base + 81, brokers: 3 });

describe('the whole system on a cluster of three while a leader moves', () => {
  it('one node killed and restarted under load: each accepted callback has its effects once', async () => {
    await wholeSystemThroughLeaderMoves(stack(), { perSecond: 10, stopEvery: 10, moves: 1, downMs: 8000, settleMs: 5000 });
  }, 400_000);
});
