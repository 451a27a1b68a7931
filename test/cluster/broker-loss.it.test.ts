import { brokerLossUnderLoad } from './broker-loss.ts';

// The small variant of test/cluster/broker-loss.cluster.test.ts, in `npm test`: half the load.
brokerLossUnderLoad('it-cluster', 10);
