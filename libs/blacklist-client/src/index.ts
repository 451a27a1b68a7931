export * from './client.ts';
// The catch-up bookkeeping moved to @optline/kafka with CompactedTail; still exported here for
// the callers that imported it from this package.
export { CatchUp, targetsFrom, type EndOffsets } from '@optline/kafka';
