import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { materializerTopology } from '@optline/materializer';
import { matcherTopology } from '../src/topology.ts';

// The README's diagram is checked against the services' declarations (topology as data): every
// topic a service declares it reads has an edge into it, every topic it writes an edge out of
// it, and the diagram shows no edge of that service that the declarations do not have.

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const mermaid = /```mermaid\n([\s\S]*?)```/.exec(readme)![1]!;

/** Node id -> the topic its label names (first word of a `[(...)]` label), and the edges between ids. */
function parse(diagram: string): { topicOf: Map<string, string>; edges: Array<[string, string]> } {
  const topicOf = new Map<string, string>();
  const edges: Array<[string, string]> = [];
  for (const line of diagram.split('\n').slice(1)) {
    const nodes = line.trim().split(/\s*-->(?:\|[^|]*\|)?\s*/).filter(Boolean).map((node) => {
      const m = /^(\w+)(?:\[\(?([^\])]*)\)?\])?$/.exec(node);
      if (!m) throw new Error(`README diagram: cannot read node ${JSON.stringify(node)}`);
      if (m[2] !== undefined && /^\(/.test(node.slice(m[1]!.length + 1))) topicOf.set(m[1]!, m[2].split(' ')[0]!);
      return m[1]!;
    });
    for (let i = 1; i < nodes.length; i++) edges.push([nodes[i - 1]!, nodes[i]!]);
  }
  return { topicOf, edges };
}

const { topicOf, edges } = parse(mermaid);
const drawn = (service: string, direction: 'in' | 'out') =>
  new Set(edges.filter(([a, b]) => (direction === 'in' ? b : a) === service).map(([a, b]) => topicOf.get(direction === 'in' ? a : b)).filter((t): t is string => t !== undefined));

/** What a service declares, without the topics it both writes and reads (its own repartition topics). */
function declared(reads: string[], writes: string[]): { reads: Set<string>; writes: Set<string> } {
  const internal = new Set(reads.filter((t) => writes.includes(t)));
  return { reads: new Set(reads.filter((t) => !internal.has(t))), writes: new Set(writes.filter((t) => !internal.has(t))) };
}

describe('the README diagram', () => {
  const matcher = matcherTopology({ topicNamespace: '' });
  const groups = Object.values(matcher.groups);
  const materializer = materializerTopology({ topicNamespace: '' });
  const services = {
    matcher: declared(
      [...Object.values(matcher.tables), ...groups.flatMap((g) => Object.values(g.inputs))],
      [matcher.deadLetter, ...groups.flatMap((g) => Object.values(g.outputs).map((o) => o.topic))],
    ),
    materializer: declared(Object.values(materializer.reads), [materializer.deadLetter, ...Object.values(materializer.group.outputs).map((o) => o.topic)]),
  };

  it.each(Object.keys(services) as Array<keyof typeof services>)('draws exactly what the %s declares it reads and writes', (service) => {
    expect([...drawn(service, 'in')].sort(), `topics drawn into ${service}`).toEqual([...services[service].reads].sort());
    expect([...drawn(service, 'out')].sort(), `topics drawn out of ${service}`).toEqual([...services[service].writes].sort());
  });
});
