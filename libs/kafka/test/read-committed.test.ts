// patches/kafkajs+2.2.4+002+read-committed.patch replaces kafkajs' read_committed filter (see patches/README.md);
// read-committed.it.test.ts proves it against the broker, these pin the cases one by one.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface FetchedRecord {
  offset: string;
  key: Buffer | null;
  isControlRecord?: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
}
type Filter = (args: { messages: FetchedRecord[]; abortedTransactions?: Array<{ producerId: string; firstOffset: string }> }) => FetchedRecord[];

const require = createRequire(import.meta.url);
const filterAbortedMessages = require('kafkajs/src/consumer/filterAbortedMessages.js') as Filter;

const data = (offset: number, producerId: string, inTransaction = true, key = Buffer.from('k')): FetchedRecord => ({ offset: String(offset), key, batchContext: { producerId, inTransaction } });
const marker = (offset: number, producerId: string, abort: boolean): FetchedRecord => ({
  offset: String(offset), key: Buffer.from([0, 0, 0, abort ? 0 : 1]), isControlRecord: true, batchContext: { producerId, inTransaction: true },
});
/** Offsets of the data records the filter keeps (control records are dropped later by kafkajs' Batch). */
const kept = (messages: FetchedRecord[], aborted: Array<{ producerId: string; firstOffset: string }>) =>
  filterAbortedMessages({ messages, abortedTransactions: aborted }).filter((m) => !m.isControlRecord).map((m) => m.offset);

describe("kafkajs' read_committed filter (patched)", () => {
  it('drops the records of every aborted transaction, whatever order the broker lists them in', () => {
    // Producer 1 from offset 0, producer 2 from 2; 2 was aborted first, so the broker lists it first.
    const records = [data(0, '1'), data(1, '1'), data(2, '2'), data(3, '2'), marker(4, '2', true), marker(5, '1', true), data(6, '3'), marker(7, '3', false)];
    expect(kept(records, [{ producerId: '2', firstOffset: '2' }, { producerId: '1', firstOffset: '0' }])).toEqual(['6']);
  });

  it('opens every transaction that started before a record, also before the fetched range', () => {
    const records = [data(30, '2'), data(31, '1'), marker(32, '1', true), marker(33, '2', true), data(34, '3')];
    expect(kept(records, [{ producerId: '1', firstOffset: '10' }, { producerId: '2', firstOffset: '20' }])).toEqual(['34']);
  });

  it('keeps committed and non-transactional records, and a later transaction of an aborted producer', () => {
    const records = [data(0, '1'), marker(1, '1', true), data(2, '1'), marker(3, '1', false), data(4, '9', false)];
    expect(kept(records, [{ producerId: '1', firstOffset: '0' }])).toEqual(['2', '4']);
  });

  it('takes only a control record for an abort marker, not a data record keyed 0x00000000', () => {
    const records = [data(0, '1'), data(1, '1', true, Buffer.from([0, 0, 0, 0])), data(2, '1'), marker(3, '1', true)];
    expect(kept(records, [{ producerId: '1', firstOffset: '0' }])).toEqual([]);
  });
});
