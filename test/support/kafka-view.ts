// Asks the broker itself, through Kafka's own TransactionsCommand (kafka-tools from Maven
// Central, run with java), which producers wrote a partition and which transactional ids they
// belong to. What optline's code believes about its writers is not evidence; this is.

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findJava, findMaven, repoRoot } from '@optline/stack';

const POM = new URL('./kafka-tools/pom.xml', import.meta.url);

/** The kafka-tools jars, fetched once per pom content into `.optline/kafka-tools`. */
function toolsClasspath(): string {
  const hash = createHash('sha256').update(readFileSync(POM)).digest('hex').slice(0, 16);
  const lib = join(repoRoot(), '.optline', 'kafka-tools', hash);
  const marker = join(lib, '.complete');
  if (!existsSync(marker)) {
    rmSync(lib, { recursive: true, force: true });
    mkdirSync(lib, { recursive: true });
    execFileSync(findMaven(), ['-B', '-q', '-f', POM.pathname, 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    writeFileSync(marker, new Date().toISOString());
  }
  return join(lib, '*');
}

/** Rows of a TransactionsCommand table (tab-separated, padded, one header line), by column name. */
function table(output: string): Array<Record<string, string>> {
  const lines = output.split('\n').filter((l) => l.includes('\t'));
  if (lines.length === 0) return [];
  const cells = (line: string) => line.split('\t').map((c) => c.trim());
  const header = cells(lines[0]!);
  return lines.slice(1).map((line) => Object.fromEntries(cells(line).map((c, i) => [header[i], c])));
}

function transactions(brokers: string, args: string[]): string {
  const result = spawnSync(findJava(17, 'kafka-tools'), ['-cp', toolsClasspath(), 'org.apache.kafka.tools.TransactionsCommand', '--bootstrap-server', brokers, ...args], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`TransactionsCommand ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

/** Kafka's DescribeProducers of one partition: the ids of the producers whose state it keeps. */
export function producersOf(brokers: string, topic: string, partition: number): string[] {
  return table(transactions(brokers, ['describe-producers', '--topic', topic, '--partition', String(partition)])).map((r) => r.ProducerId!);
}

/** Kafka's ListTransactions: producer id -> transactional id, for every transactional id the cluster knows. */
export function transactionalIds(brokers: string): Map<string, string> {
  return new Map(table(transactions(brokers, ['list'])).map((r) => [r.ProducerId!, r.TransactionalId!]));
}
