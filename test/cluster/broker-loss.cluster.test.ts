import { brokerLossUnderLoad } from './broker-loss.ts';

// The full variant (`npm run test:cluster`); test/cluster/broker-loss.it.test.ts is the one in `npm test`.
brokerLossUnderLoad('cluster', 20);
