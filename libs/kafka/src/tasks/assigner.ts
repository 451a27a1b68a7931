import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export interface CoPartitionedGroup {
  name: string;
  /** Topics with the same partition count whose partition N is always assigned together. */
  inputs: readonly string[];
}

export function taskId(group: string, partition: number): string {
  return `${group}-${partition}`;
}

export class CoPartitioningError extends Error {
  constructor(group: string, counts: Record<string, number>) {
    super(`task group ${group}: co-partitioned topics must have the same number of partitions, found ${JSON.stringify(counts)}`);
    this.name = 'CoPartitioningError';
  }
}

function groupOfTask(task: string): string {
  return task.slice(0, task.lastIndexOf('-'));
}

/**
 * Spreads the tasks (a group's partition N of every input) evenly within each group, so every
 * member shares every kind of work, and keeps a task on the member that owned it before when
 * that member has room, so a rebalance moves (and restores) as few stores as possible. Pure;
 * members sorted for a deterministic result.
 */
export function assignTasks(tasks: readonly string[], members: ReadonlyArray<{ id: string; owned: readonly string[] }>): Map<string, string[]> {
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const result = new Map<string, string[]>(sorted.map((m) => [m.id, []]));
  if (sorted.length === 0) return result;
  const groups = new Map<string, string[]>();
  for (const task of tasks) {
    const g = groupOfTask(task);
    groups.set(g, [...(groups.get(g) ?? []), task]);
  }
  for (const [group, inGroup] of groups) {
    const capacity = Math.ceil(inGroup.length / sorted.length);
    const count = (m: { id: string }) => result.get(m.id)!.filter((t) => groupOfTask(t) === group).length;
    const open = new Set(inGroup);
    for (const member of sorted) {
      for (const task of member.owned) {
        if (count(member) >= capacity) break;
        if (open.delete(task)) result.get(member.id)!.push(task);
      }
    }
    for (const task of inGroup) {
      if (!open.has(task)) continue;
      // Fewest of this group first, then fewest overall.
      const load = (m: { id: string }) => count(m) * tasks.length + result.get(m.id)!.length;
      const least = sorted.reduce((best, m) => (load(m) < load(best) ? m : best), sorted[0]!);
      result.get(least.id)!.push(task);
    }
  }
  return result;
}

/**
 * A kafkajs partition assigner that assigns by task, not by topic-partition: one member gets
 * partition N of all of a group's inputs, as the group's state for partition N is one store.
 * Each member sends the tasks it owns now (`owned()`) as user data, for stickiness.
 */
export function coPartitionedAssigner(groups: readonly CoPartitionedGroup[], owned: () => string[]): PartitionAssigner {
  return ({ cluster }) => ({
    name: 'OptlineCoPartitioned',
    version: 1,
    async assign({ members }) {
      const tasks: Array<{ id: string; group: CoPartitionedGroup; partition: number }> = [];
      for (const group of groups) {
        const counts = Object.fromEntries(group.inputs.map((t) => [t, cluster.findTopicPartitionMetadata(t).length]));
        const distinct = new Set(Object.values(counts));
        if (distinct.size !== 1) throw new CoPartitioningError(group.name, counts);
        const count = [...distinct][0]!;
        for (let p = 0; p < count; p++) tasks.push({ id: taskId(group.name, p), group, partition: p });
      }
      const byId = new Map(tasks.map((t) => [t.id, t]));
      const decoded = members.map(({ memberId, memberMetadata }) => {
        const userData = AssignerProtocol.MemberMetadata.decode(memberMetadata)?.userData;
        let previous: string[] = [];
        try {
          previous = userData && userData.length > 0 ? (JSON.parse(userData.toString('utf8')) as string[]) : [];
        } catch {
          previous = []; // a member of another version: no stickiness for it
        }
        return { id: memberId, owned: previous };
      });
      const assignment = assignTasks(tasks.map((t) => t.id), decoded);
      return [...assignment].map(([memberId, ids]) => {
        const topics: Record<string, number[]> = {};
        for (const id of ids) {
          const task = byId.get(id)!;
          for (const topic of task.group.inputs) (topics[topic] ??= []).push(task.partition);
        }
        return { memberId, memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: topics, userData: Buffer.alloc(0) }) };
      });
    },
    protocol({ topics }) {
      return {
        name: 'OptlineCoPartitioned',
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.from(JSON.stringify(owned())) }),
      };
    },
  });
}
