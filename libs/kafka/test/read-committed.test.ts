import { describe, expect, it } from 'vitest';
import { abortedRecordOffsets, type FetchedRecord } from '../src/read-committed.ts';

const data = (offset: number, producerId: string, inTransaction = true): FetchedRecord => ({ offset: String(offset), key: Buffer.from('k'), batchContext: { producerId, inTransaction } });
const marker = (offset: number, producerId: string, abort: boolean): FetchedRecord => ({
  offset: String(offset), key: Buffer.from([0, 0, 0, abort ? 0 : 1]), isControlRecord: true, batchContext: { producerId, inTransaction: true },
});

describe('abortedRecordOffsets', () => {
  it('finds the records of every aborted transaction, whatever order the broker lists them in', () => {
    // Producer 1 from offset 0, producer 2 from 2; 2 was aborted first, so the broker lists it first.
    const records = [data(0, '1'), data(1, '1'), data(2, '2'), data(3, '2'), marker(4, '2', true), marker(5, '1', true), data(6, '3'), marker(7, '3', false)];
    const aborted = abortedRecordOffsets(records, [{ producerId: '2', firstOffset: '2' }, { producerId: '1', firstOffset: '0' }]);
    expect([...aborted].sort()).toEqual(['0', '1', '2', '3']);
  });

  it('opens every transaction that started before a record, also before the fetched range', () => {
    const records = [data(30, '2'), data(31, '1'), marker(32, '1', true), marker(33, '2', true)];
    expect([...abortedRecordOffsets(records, [{ producerId: '1', firstOffset: '10' }, { producerId: '2', firstOffset: '20' }])].sort()).toEqual(['30', '31']);
  });

  it('keeps committed and non-transactional records, and a later transaction of an aborted producer', () => {
    const records = [data(0, '1'), marker(1, '1', true), data(2, '1'), marker(3, '1', false), data(4, '9', false)];
    expect([...abortedRecordOffsets(records, [{ producerId: '1', firstOffset: '0' }])]).toEqual(['0']);
  });
});
