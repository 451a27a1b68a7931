import { describe, expect, it } from 'vitest';
import { AssignerProtocol, type Cluster } from 'kafkajs';
import { assignTasks, coPartitionedAssigner, CoPartitioningError } from '../src/tasks/assigner.ts';

const tasks = ['customers', 'consent', 'phones'].flatMap((g) => [0, 1, 2].map((p) => `${g}-${p}`));
const group = (ts: string[], g: string) => ts.filter((t) => t.startsWith(`${g}-`));

describe('assignTasks', () => {
  it('assigns every task exactly once and spreads each group over the members', () => {
    const result = assignTasks(tasks, [{ id: 'b', owned: [] }, { id: 'a', owned: [] }]);
    expect([...result.values()].flat().sort()).toEqual([...tasks].sort());
    for (const g of ['customers', 'consent', 'phones']) {
      expect([...result.values()].map((ts) => group(ts, g).length).sort()).toEqual([1, 2]);
    }
    expect(Math.abs(result.get('a')!.length - result.get('b')!.length)).toBeLessThanOrEqual(1);
  });

  it('keeps tasks where they were when the member has room, so few stores move', () => {
    const first = assignTasks(tasks, [{ id: 'a', owned: [] }]);
    expect(first.get('a')!.sort()).toEqual([...tasks].sort());
    const second = assignTasks(tasks, [{ id: 'a', owned: first.get('a')! }, { id: 'b', owned: [] }]);
    // a keeps 2 of 3 per group, b gets the rest: 3 tasks move, not 9.
    expect(second.get('b')).toHaveLength(3);
    const third = assignTasks(tasks, [{ id: 'a', owned: second.get('a')! }, { id: 'b', owned: second.get('b')! }]);
    expect(third).toEqual(second);
  });

  it('is deterministic whatever the order of members', () => {
    const m = [{ id: 'x', owned: [] }, { id: 'y', owned: [] }, { id: 'z', owned: [] }];
    expect(assignTasks(tasks, m)).toEqual(assignTasks(tasks, [...m].reverse()));
  });
});

describe('coPartitionedAssigner', () => {
  const cluster = (counts: Record<string, number>) =>
    ({ findTopicPartitionMetadata: (t: string) => Array.from({ length: counts[t] ?? 0 }, (_, partitionId) => ({ partitionId })) }) as unknown as Cluster;
  const member = (memberId: string, owned: string[] = []) => ({
    memberId,
    memberMetadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics: [], userData: Buffer.from(JSON.stringify(owned)) }),
  });
  const groups = [{ name: 'phones', inputs: ['in', 'sent'] }];

  it('gives one member partition N of every input of a group', async () => {
    const assigner = coPartitionedAssigner(groups, () => [])({ cluster: cluster({ in: 4, sent: 4 }), groupId: 'g', logger: undefined as never });
    const result = await assigner.assign({ members: [member('m1'), member('m2', ['phones-3'])], topics: ['in', 'sent'] });
    const decoded = Object.fromEntries(result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment]));
    for (const a of Object.values(decoded)) expect(a.in!.sort()).toEqual(a.sent!.sort());
    expect(decoded.m2!.in).toContain(3);
    expect([...decoded.m1!.in!, ...decoded.m2!.in!].sort()).toEqual([0, 1, 2, 3]);
  });

  it('refuses topics of one group with different partition counts', async () => {
    const assigner = coPartitionedAssigner(groups, () => [])({ cluster: cluster({ in: 4, sent: 6 }), groupId: 'g', logger: undefined as never });
    await expect(assigner.assign({ members: [member('m1')], topics: ['in', 'sent'] })).rejects.toThrow(CoPartitioningError);
    await expect(assigner.assign({ members: [member('m1')], topics: ['in', 'sent'] })).rejects.toThrow(/"in":4,"sent":6/);
  });

  it('announces the tasks the member owns as user data', () => {
    const assigner = coPartitionedAssigner(groups, () => ['phones-1'])({ cluster: cluster({}), groupId: 'g', logger: undefined as never });
    const { metadata } = assigner.protocol({ topics: ['in'] });
    expect(JSON.parse(AssignerProtocol.MemberMetadata.decode(metadata)!.userData.toString())).toEqual(['phones-1']);
  });
});
