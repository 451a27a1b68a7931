import { describe, it } from 'vitest';
import { privateStackForFile } from '../support/private-stack.ts';
import { wholeSystemThroughLeaderMoves } from './whole-system.ts';

// The whole system on a private three-node cluster under light load, through one leader move
// (`npm run test:cluster:system`; what it checks and what it found: README, Tests).
const stack = privateStackForFile({ name: 'cluster-system', kafkaPort: 25092, controllerPort: 25093, registryPort: 25081, brokers: 3 });

describe('the whole system on a cluster of three while a leader moves', () => {
  it('one node killed and restarted under load: each accepted callback has its effects once', async () => {
    await wholeSystemThroughLeaderMoves(stack(), { perSecond: 10, stopEvery: 10, moves: 1, downMs: 8000, settleMs: 5000 });
  }, 400_000);
});
