import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// What to print when an acknowledged record is not on the topic: whether some node's segment
// files hold it (written, then truncated away or never made the high watermark) or none does
// (never written), and what the nodes logged about truncating the topic. A loss seen once in a
// CI run under load (16c68c3: 12 callbacks answered 2xx at one instant during the restart of two
// nodes, none on the topic) could not be examined after the fact because the stack's folder was
// gone. That run predates kafkajs patch 005, whose loss (a partition whose leader moved to a
// broker that had already answered was never sent again, yet the send resolved) fits it; 14 runs
// with the patch lost nothing.

/** For each node's copy of each partition of `topic`: which of `ids` its segment files contain. */
export function idsInSegments(home: string, topic: string, ids: readonly string[]): string[] {
  const lines: string[] = [];
  for (const node of readdirSync(home).filter((d) => /^kafka-data(-\d+)?$/.test(d)).sort()) {
    for (const partition of readdirSync(join(home, node)).filter((p) => p.startsWith(`${topic}-`)).sort()) {
      const dir = join(home, node, partition);
      // Uncompressed records: the id's UTF-8 bytes appear as they are in the Avro value.
      const bytes = Buffer.concat(readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => readFileSync(join(dir, f))));
      const found = ids.filter((id) => bytes.includes(id));
      if (found.length > 0) lines.push(`${node}/${partition}: ${found.length} of ${ids.length} (${found.slice(0, 5).join(' ')})`);
    }
  }
  return lines.length > 0 ? lines : [`no node's segment files hold any of the ${ids.length}`];
}

/** The nodes' log lines about truncating or taking over (as leader or follower) `topic`, the last `n` of each. */
export function truncationLines(home: string, topic: string, n = 12): string[] {
  const logs = join(home, 'logs');
  if (!existsSync(logs)) return [];
  return readdirSync(logs)
    .filter((f) => /^kafka(-\d+)?\.log$/.test(f))
    .sort()
    .flatMap((f) => {
      const lines = readFileSync(join(logs, f), 'utf8').split('\n').filter((l) => l.includes(topic) && /truncat|unclean|starts at leader epoch/i.test(l));
      return lines.slice(-n).map((l) => `${f}: ${l.slice(0, 300)}`);
    });
}
