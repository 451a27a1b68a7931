// A small benchmark harness shared by every bench: each case is a function doing a known number
// of operations per call; cases are measured round-robin (so drift in machine speed hits all
// of them alike), the median run counts, and a case can be compared with a baseline measured
// in the same process. Progress goes to stderr, the table to stdout.

import type { Admin, ITopicConfig, Kafka } from 'kafkajs';

export interface BenchCase {
  name: string;
  /** One call does `ops` operations; its return value is kept so the work cannot be optimised away. */
  fn: () => unknown;
  ops: number;
  /** Name of the case this one is compared with. */
  baseline?: string;
}

export interface BenchOptions {
  title: string;
  /** Measured runs per case; the median is reported. */
  runs?: number;
  /** Unmeasured calls per case first, so the JIT has settled. */
  warmup?: number;
  /** What an operation is, for the column headers ("msg"). */
  unit?: string;
  /** Milliseconds since any origin; the harness's own test passes a simulated clock so that
   * its assertions do not depend on how busy the machine is. */
  now?: () => number;
}

export interface BenchResult {
  name: string;
  ops: number;
  medianMs: number;
  opsPerSecond: number;
  /** opsPerSecond / the baseline's, or null without a baseline. */
  ratio: number | null;
}

// Results land here: a store to module state is something the JIT cannot drop.
export let sink: unknown;

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const hrtimeMs = (): number => Number(process.hrtime.bigint()) / 1e6;

function timeMs(fn: () => unknown, now: () => number): number {
  const start = now();
  sink = fn();
  return now() - start;
}

export function runBench(options: BenchOptions, cases: readonly BenchCase[]): BenchResult[] {
  const runs = options.runs ?? 7;
  const warmup = options.warmup ?? 2;
  const now = options.now ?? hrtimeMs;
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (const c of cases) for (let i = 0; i < warmup; i++) sink = c.fn();
  // On a terminal the progress line is rewritten in place; in a log it is appended to.
  const tty = process.stderr.isTTY === true;
  process.stderr.write(`${options.title}: run`);
  for (let run = 1; run <= runs; run++) {
    process.stderr.write(tty ? `\r${options.title}: run ${run}/${runs}` : ` ${run}`);
    for (const c of cases) times.get(c.name)!.push(timeMs(c.fn, now));
  }
  process.stderr.write(tty ? `\r${options.title}: ${runs} runs done\n` : ` of ${runs} done\n`);

  const results = cases.map((c) => {
    const medianMs = median(times.get(c.name)!);
    return { name: c.name, ops: c.ops, medianMs, opsPerSecond: (c.ops / medianMs) * 1000, ratio: null as number | null };
  });
  for (const [i, c] of cases.entries()) {
    if (c.baseline === undefined) continue;
    const base = results.find((r) => r.name === c.baseline);
    if (base === undefined) throw new Error(`bench ${c.name}: unknown baseline ${c.baseline}`);
    results[i]!.ratio = results[i]!.opsPerSecond / base.opsPerSecond;
  }
  return results;
}

/** A plain-text table: first column left-aligned, the others right-aligned. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** The standard table of a bench's results, printed to stdout. */
export function printResults(options: BenchOptions, results: readonly BenchResult[]): void {
  const unit = options.unit ?? 'op';
  const rows = results.map((r) => [
    r.name,
    integer.format(r.ops),
    r.medianMs.toFixed(1),
    integer.format(r.opsPerSecond),
    ((r.medianMs * 1e6) / r.ops).toFixed(1),
    r.ratio === null ? '' : `${r.ratio.toFixed(1)}x`,
  ]);
  const headers = ['case', `${unit}s`, 'median ms', `${unit}/s`, `ns/${unit}`, 'vs baseline'];
  process.stdout.write(`\n${options.title}\n\n${formatTable(headers, rows)}\n\n`);
}

/** Deletes the topics of a bench's namespace: the shared broker is left as the bench found it. */
export async function deleteNamespace(kafka: Kafka, namespace: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
  if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
  await admin.disconnect();
}

/** utime + stime in clock ticks from the text of /proc/<pid>/stat (the name in parentheses may hold spaces). */
export function cpuTicksOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime and stime are fields 14 and 15.
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Creates topics and waits for their leaders. The local broker under load sometimes answers
 * the leader wait with UNKNOWN_TOPIC_OR_PARTITION: retried a few times, as it is retriable.
 */
export async function createTopicsRetrying(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.createTopics({ topics, waitForLeaders: true });
      return;
    } catch (error) {
      if (attempt >= 5 || !(error as { retriable?: boolean }).retriable) throw error;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}
