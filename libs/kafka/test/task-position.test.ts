// The runtime's guard against a batch that starts past a task's position (issue #21), with the
// log start and kafkajs' own passes over filtered fetches given as data.
import { describe, expect, it } from 'vitest';
import type { Admin, Batch, Consumer, Kafka } from 'kafkajs';
import { createLogger } from '@optline/runtime';
import { FilteredStretches } from '../src/tasks/filtered.ts';
import { PositionGuard } from '../src/tasks/position.ts';
import { TaskManager, type Task } from '../src/tasks/task-manager.ts';
import type { CoPartitionedGroup } from '../src/tasks/assigner.ts';

const TOPIC = 'in';

/** A runtime whose admin answers `low` as partition 0's log start, counting the questions. */
function runtime(low: () => number) {
  const asked = { count: 0 };
  const admin = {
    fetchTopicOffsets: async () => {
      asked.count++;
      return [{ partition: 0, offset: '1000', high: '1000', low: String(low()) }];
    },
  } as unknown as Admin;
  const group: CoPartitionedGroup = { name: 'g', inputs: [TOPIC] };
  const tasks = new TaskManager<CoPartitionedGroup, undefined>({
    kafka: {} as Kafka, admin, groups: [group], groupId: 'g', transactionalId: (id) => id, logger: createLogger('test', 'silent'), open: async () => undefined,
  });
  const task = (next: number): Task<CoPartitionedGroup, undefined> =>
    ({ id: 'g-0', group, partition: 0, next: new Map([[TOPIC, BigInt(next)]]) }) as unknown as Task<CoPartitionedGroup, undefined>;
  return { tasks, task, asked };
}

/** A consumer that only hands its START_BATCH_PROCESS listener over. */
function consumer() {
  let listener: (e: { payload: { topic: string; partition: number; batchSize: number; firstOffset: string; lastOffset: string } }) => void = () => undefined;
  const c = { events: { START_BATCH_PROCESS: 'consumer.start_batch_process' }, on: (_: string, l: typeof listener) => void (listener = l) } as unknown as Consumer;
  return { c, pass: (firstOffset: number, lastOffset: number, batchSize = 0) => listener({ payload: { topic: TOPIC, partition: 0, batchSize, firstOffset: String(firstOffset), lastOffset: String(lastOffset) } }) };
}

describe('TaskManager.continues', () => {
  it('takes a batch at or before the position without asking the broker, refuses one past it', async () => {
    const { tasks, task, asked } = runtime(() => 0);
    const t = task(10);
    expect(await tasks.continues(t, TOPIC, '8')).toBe(true); // overlaps what was processed: the caller skips it
    expect(await tasks.continues(t, TOPIC, '10')).toBe(true);
    expect(asked.count).toBe(0);
    expect(await tasks.continues(t, TOPIC, '12')).toBe(false); // 10 and 11 would never be processed
    expect(t.next.get(TOPIC)).toBe(10n);
  });

  it('starts a never-committed input at the log start, whatever batch came first', async () => {
    const { tasks, task } = runtime(() => 5);
    const t = task(-1);
    expect(await tasks.continues(t, TOPIC, '7')).toBe(false);
    expect(t.next.get(TOPIC)).toBe(5n);
    expect(await tasks.continues(task(-1), TOPIC, '5')).toBe(true);
  });

  it('moves to the log start when retention deleted the records before the batch', async () => {
    const { tasks, task } = runtime(() => 150);
    const t = task(100);
    expect(await tasks.continues(t, TOPIC, '150')).toBe(true);
    expect(t.next.get(TOPIC)).toBe(150n);
    const u = task(100);
    expect(await tasks.continues(u, TOPIC, '160')).toBe(false); // 150..159 are still there
    expect(u.next.get(TOPIC)).toBe(150n);
  });

  it('passes over what kafkajs resolved by itself: several filtered fetches in a row, not a batch it delivered', async () => {
    const { tasks, task } = runtime(() => 0);
    const { c, pass } = consumer();
    tasks.follow(c);
    pass(10, 19);
    pass(20, 29);
    pass(40, 49, 3); // delivered to eachBatch: no stretch
    const t = task(10);
    expect(await tasks.continues(t, TOPIC, '30')).toBe(true);
    expect(t.next.get(TOPIC)).toBe(30n);
    expect(await tasks.continues(task(10), TOPIC, '31')).toBe(false);
    expect(await tasks.continues(task(5), TOPIC, '30')).toBe(false); // 5..9 not passed over
  });

  it('moves past a batch tail with nothing to process, never backwards', () => {
    const { tasks, task } = runtime(() => 0);
    const t = task(10);
    tasks.passed(t, TOPIC, '12');
    expect(t.next.get(TOPIC)).toBe(13n);
    tasks.passed(t, TOPIC, '8');
    expect(t.next.get(TOPIC)).toBe(13n);
  });
});

describe('FilteredStretches', () => {
  it('merges adjoining and overlapping stretches, and replaces one that does not adjoin', () => {
    const s = new FilteredStretches();
    s.add(TOPIC, 0, 10n, 19n);
    s.add(TOPIC, 0, 15n, 24n);
    s.add(TOPIC, 0, 25n, 29n);
    expect(s.past(TOPIC, 0, 10n)).toBe(30n);
    expect(s.past(TOPIC, 0, 29n)).toBe(30n);
    expect(s.past(TOPIC, 0, 30n)).toBe(30n);
    expect(s.past(TOPIC, 0, 9n)).toBe(9n);
    expect(s.past(TOPIC, 1, 10n)).toBe(10n); // another partition
    s.add(TOPIC, 0, 40n, 44n);
    expect(s.past(TOPIC, 0, 10n)).toBe(10n);
    expect(s.past(TOPIC, 0, 40n)).toBe(45n);
  });
});

describe('PositionGuard.check', () => {
  const batch = (firstOffset: string | null) => ({ topic: TOPIC, partition: 0, firstOffset: () => firstOffset }) as unknown as Batch;

  it('takes a batch at or before the reader, seeks back for one past it, and starts a never-read partition at the log start', async () => {
    const admin = { fetchTopicOffsets: async () => [{ partition: 0, offset: '1000', high: '1000', low: '4' }] } as unknown as Admin;
    const seeks: Array<{ offset: string }> = [];
    const c = { seek: (s: { offset: string }) => void seeks.push(s) } as unknown as Consumer;
    const guard = new PositionGuard(admin, createLogger('test', 'silent'));
    expect(await guard.check(c, batch('10'), 10n)).toEqual({ next: 10n, continues: true });
    expect(await guard.check(c, batch(null), 10n)).toEqual({ next: 10n, continues: true });
    expect(await guard.check(c, batch('12'), 10n)).toEqual({ next: 10n, continues: false });
    expect(await guard.check(c, batch('6'), -1n)).toEqual({ next: 4n, continues: false });
    expect(seeks.map((s) => s.offset)).toEqual(['10', '4']);
  });
});
