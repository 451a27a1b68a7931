// A fix for kafkajs 2.2.4's read_committed filtering. kafkajs drops the records of aborted
// transactions with the fetch response's aborted-transactions list, assuming it is sorted by
// first offset and adding at most one aborted transaction per record. The broker lists aborted
// transactions in the order they were aborted, so when a later-started transaction is aborted
// first (several transactional producers on one partition, e.g. after a crash fences them all),
// the records of the earlier one are delivered as if committed. Java's consumer sorts the list
// and adds every transaction that has started by the record's offset; so does this.
import { createRequire } from 'node:module';

export interface FetchedRecord {
  offset: string;
  key: Buffer | null;
  isControlRecord?: boolean;
  batchContext?: { producerId: string; inTransaction: boolean };
}

export interface AbortedTransaction {
  producerId: string;
  firstOffset: string;
}

const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

/** Offsets of the records (in offset order) that belong to aborted transactions. */
export function abortedRecordOffsets(records: readonly FetchedRecord[], aborted: readonly AbortedTransaction[]): Set<string> {
  const pending = [...aborted].sort((a, b) => (BigInt(a.firstOffset) < BigInt(b.firstOffset) ? -1 : BigInt(a.firstOffset) > BigInt(b.firstOffset) ? 1 : 0));
  const open = new Set<string>();
  const result = new Set<string>();
  let next = 0;
  for (const record of records) {
    const offset = BigInt(record.offset);
    while (next < pending.length && BigInt(pending[next]!.firstOffset) <= offset) open.add(pending[next++]!.producerId);
    const producerId = record.batchContext?.producerId;
    if (producerId === undefined) continue;
    if (record.isControlRecord) {
      if (record.key !== null && Buffer.from(record.key).equals(ABORT_MARKER_KEY)) open.delete(producerId);
    } else if (record.batchContext?.inTransaction && open.has(producerId)) {
      result.add(record.offset);
    }
  }
  return result;
}

interface FetchResponse {
  responses?: Array<{ partitions?: Array<{ abortedTransactions?: AbortedTransaction[]; messages?: FetchedRecord[] }> }>;
}

let installed = false;

/**
 * Patches kafkajs' Broker#fetch (once per process): records of aborted transactions are marked
 * as control records, which kafkajs never hands to the application but still counts for the
 * batch's last offset, and the aborted list is emptied so kafkajs' own filter lets them pass.
 */
export function installReadCommittedFix(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const Broker = require('kafkajs/src/broker/index.js') as { prototype: { fetch: (...args: unknown[]) => Promise<FetchResponse> } };
  const fetch = Broker.prototype.fetch;
  Broker.prototype.fetch = async function patchedFetch(this: unknown, ...args: unknown[]): Promise<FetchResponse> {
    const response = await fetch.apply(this, args);
    for (const topic of response.responses ?? []) {
      for (const partition of topic.partitions ?? []) {
        if (!partition.abortedTransactions?.length || !partition.messages) continue;
        const aborted = abortedRecordOffsets(partition.messages, partition.abortedTransactions);
        for (const record of partition.messages) if (aborted.has(record.offset)) record.isControlRecord = true;
        partition.abortedTransactions = [];
      }
    }
    return response;
  };
}
