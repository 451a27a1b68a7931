// bench matcher-vs-streams: optline's matcher against the same phone topology written with Kafka
// Streams 4.1.1 (bench/streams-peer: Processor API, persistent logged RocksDB store with caching,
// settings in a global store, exactly_once_v2), draining the backlog `bench matcher` builds, in
// alternating order per round. Each side runs in a process of its own: replies/s from its
// consumer group's committed offsets (10 %..100 % of the drain), CPU per reply from
// /proc/<pid>/stat over the same stretch, then a check that every side wrote the same blacklist,
// blacklist history and facts records (decoded, wall-clock recorded_at left out).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Admin } from 'kafkajs';
import { AvroSerde, topicConfig } from '@optline/kafka';
import { loadConfig } from '@optline/runtime';
import { matcherTopology } from '@optline/matcher';
import { cpuTicksOfStat, createTopicsRetrying, deleteNamespace, formatTable, median } from './harness.ts';
import { sustainedRate, writeBacklog, type Backlog } from './matcher-backlog.ts';
import { compareDigests, digestTopics, type TopicDigest } from './output-digest.ts';
import { ensurePeerJar, startPeer } from './streams-peer.ts';

const log = (line: string) => process.stderr.write(`matcher-vs-streams: ${line}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function flag(args: readonly string[], name: string, env: string | undefined, fallback: string): string {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : env ?? fallback;
}

/** A matcher side runs this checkout's matcher, or another checkout's (`--matchers`, to compare builds in one run). */
type Side = { kind: 'matcher'; from?: string } | { kind: 'streams'; threads: number };
const MATCHER = 'optline matcher';
const label = (s: Side) => (s.kind === 'matcher' ? (s.from ? `${MATCHER} (${s.from})` : MATCHER) : `Kafka Streams, ${s.threads} thread${s.threads === 1 ? '' : 's'}`);

interface Drain {
  rate: number;
  cpuUsPerReply: number;
  /** The side's blacklist, history and facts topics, in that order. */
  outputs: string[];
}

function cpuMs(pid: number): number {
  return (cpuTicksOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 1000) / CLK_TCK;
}

async function committed(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
}

/** Runs one side on the backlog until its group committed every reply. */
async function drain(b: Backlog, side: Side, messages: number, jar: string, tag: string): Promise<Drain> {
  const { config, topics, kafka } = b;
  const admin = kafka.admin();
  await admin.connect();
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-mvs-'));
  let child: ChildProcess;
  let groupId: string;
  let outputs: string[];
  if (side.kind === 'matcher') {
    groupId = matcherTopology(config).groupId;
    outputs = [topics.blacklist.name, topics.blacklistHistory.name, topics.facts.name];
    const script = side.from ? join(side.from, 'bench', 'src', 'matcher-process.ts') : join(dirname(fileURLToPath(import.meta.url)), 'matcher-process.ts');
    // e.g. OPTLINE_BENCH_MATCHER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' (the profile is written as the child exits).
    const nodeArgs = process.env.OPTLINE_BENCH_MATCHER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], { env: { ...process.env, OPTLINE_TOPIC_NAMESPACE: config.topicNamespace }, stdio: ['ignore', 'ignore', 'inherit'] });
  } else {
    groupId = `${config.topicNamespace}.streams-peer-${side.threads}t`;
    const name = (base: string) => `${config.topicNamespace}.streams-${side.threads}t.${base.slice(config.topicNamespace.length + 1)}`;
    const specs = [topics.blacklist, topics.blacklistHistory, topics.facts, topics.deadLetter].map((s) => ({ ...s, name: name(s.name) }));
    await createTopicsRetrying(admin, specs.map((s) => topicConfig(s, config)));
    outputs = specs.slice(0, 3).map((s) => s.name);
    child = startPeer(jar, {
      applicationId: groupId, threads: side.threads, stateDir, brokers: config.kafkaBrokers.join(','), registryUrl: config.schemaRegistryUrl,
      replicationFactor: config.replicationFactor, inbound: topics.inbound.name, settings: topics.settings.name,
      outputs: { blacklist: specs[0]!.name, history: specs[1]!.name, facts: specs[2]!.name, deadLetter: specs[3]!.name },
      subjects: { blacklist: `${topics.blacklist.name}-value`, history: `${topics.blacklistHistory.name}-value`, facts: `${topics.facts.name}-value` },
    }, log);
  }
  const failed = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${label(side)} exited with ${code} before draining the backlog`))));
  const edges: Record<'start' | 'end', { n: number; cpu: number }> = { start: { n: 0, cpu: 0 }, end: { n: 0, cpu: 0 } };
  let n = 0;
  let shown = 0;
  try {
    const rate = await Promise.race([failed, sustainedRate(async () => (n = await committed(admin, groupId, topics.inbound.name)), messages, {
      timeoutMs: Math.max(180_000, messages / 2), label: `bench matcher-vs-streams (${label(side)})`, pollMs: 100,
      onWindow: (edge) => void (edges[edge] = { n, cpu: cpuMs(child.pid!) }),
      progress: (done) => {
        if (done - shown >= messages / 5 || (done >= messages && shown < messages)) log(`${tag} ${label(side)}: ${fmt((shown = done))} of ${fmt(messages)} committed`);
      },
    })]);
    const cpuUsPerReply = ((edges.end.cpu - edges.start.cpu) * 1000) / (edges.end.n - edges.start.n);
    return { rate, cpuUsPerReply, outputs };
  } finally {
    failed.catch(() => undefined);
    await stopChild(child);
    await admin.disconnect();
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function recordsIn(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
}

export async function run(args: string[] = []): Promise<void> {
  const messages = Number(flag(args, 'messages', process.env.OPTLINE_BENCH_MVS_MESSAGES, '200000'));
  const rounds = Number(flag(args, 'rounds', process.env.OPTLINE_BENCH_MVS_ROUNDS, '2'));
  // --threads=none: the matcher only (with --matchers, to compare builds).
  const threads = flag(args, 'threads', process.env.OPTLINE_BENCH_MVS_THREADS, '1,2').split(',').filter((t) => t !== 'none' && t !== '').map(Number);
  // --matchers=.,/path/to/other/checkout: one matcher side per checkout ('.' is this one), in the same rounds.
  const matchers: Side[] = flag(args, 'matchers', process.env.OPTLINE_BENCH_MVS_MATCHERS, '.').split(',').map((m) => (m === '.' ? { kind: 'matcher' } : { kind: 'matcher', from: m }));
  // all: compare the outputs after every round; last: after the last round only (a 1 M check reads ~3.4 M records).
  const check = flag(args, 'check', process.env.OPTLINE_BENCH_MVS_CHECK, 'all');
  const phones = Math.max(1, Math.floor(messages / 8));
  const base = loadConfig();
  const jar = threads.length > 0 ? ensurePeerJar(log) : '';
  const sides: Side[] = [...matchers, ...threads.map((t) => ({ kind: 'streams' as const, threads: t }))];
  if (!sides.some((s) => s.kind === 'matcher' && !s.from)) throw new Error("bench matcher-vs-streams: --matchers must include '.' (the outputs are compared with this checkout's matcher)");
  const results = new Map<string, Drain[]>(sides.map((s) => [label(s), []]));
  const checks: string[] = [];
  for (let round = 1; round <= rounds; round++) {
    const tag = `round ${round}/${rounds}:`;
    log(`${tag} writing a backlog of ${fmt(messages)} replies from ${fmt(phones)} phones`);
    const b = await writeBacklog(base, { prefix: 'bench-mvs', messages, phones, run: round, progress: (w) => log(`${tag} ${fmt(w)} written`) });
    // A matcher of another checkout drains the same backlog in a namespace of its own (the matcher's group and topics follow the namespace).
    const copies = new Map<Side, Backlog>();
    try {
      for (const side of sides.filter((s) => s.kind === 'matcher' && s.from)) {
        log(`${tag} the same backlog again for ${label(side)}`);
        copies.set(side, await writeBacklog(base, { prefix: 'bench-mvs', messages, phones, run: round }));
      }
      // Rotate the order, so a drift of the machine's speed does not favour one side.
      const order = sides.map((_, i) => sides[(i + round - 1) % sides.length]!);
      const drains = new Map<string, Drain>();
      for (const side of order) {
        const d = await drain(copies.get(side) ?? b, side, messages, jar, tag);
        results.get(label(side))!.push(d);
        log(`${tag} ${label(side)} ${fmt(d.rate)} replies/s, ${d.cpuUsPerReply.toFixed(1)} µs CPU per reply`);
        if (copies.has(side)) continue;
        drains.set(label(side), d);
      }
      if (check === 'all' || (check === 'last' && round === rounds)) checks.push(...(await checkOutputs(b, drains, tag)));
    } finally {
      for (const one of [b, ...copies.values()]) await deleteNamespace(one.kafka, one.config.topicNamespace);
    }
  }
  const streamsSides = sides.filter((s) => s.kind === 'streams');
  const best = Math.max(...sides.filter((s) => s.kind === 'streams').map((s) => median(results.get(label(s))!.map((d) => d.rate))));
  const bestCpu = Math.min(...sides.filter((s) => s.kind === 'streams').map((s) => median(results.get(label(s))!.map((d) => d.cpuUsPerReply))));
  const rows = sides.map((s) => {
    const ds = results.get(label(s))!;
    return [label(s), fmt(median(ds.map((d) => d.rate))), ds.map((d) => fmt(d.rate)).join(', '), median(ds.map((d) => d.cpuUsPerReply)).toFixed(1), ds.map((d) => d.cpuUsPerReply.toFixed(1)).join(', ')];
  });
  const matcher = results.get(MATCHER)!;
  process.stdout.write(`\nmatcher-vs-streams: ${fmt(messages)} replies from ${fmt(phones)} phones (${base.partitions} partitions, 5 % opt-outs, 5 % opt-ins, trackIncoming on), ${rounds} rounds in alternating order; replies/s over 10-100 % of each drain from committed offsets, CPU from /proc/<pid>/stat over the same stretch\n\n`);
  process.stdout.write(`${formatTable(['implementation', 'replies/s (median)', 'per round', 'CPU µs/reply (median)', 'per round'], rows)}\n\n`);
  for (const s of sides.filter((one) => one.kind === 'matcher' && one.from)) {
    const other = results.get(label(s))!;
    process.stdout.write(`optline matcher / ${label(s)}: ${(median(matcher.map((d) => d.rate)) / median(other.map((d) => d.rate))).toFixed(2)} (rate), CPU per reply ${(median(matcher.map((d) => d.cpuUsPerReply)) / median(other.map((d) => d.cpuUsPerReply))).toFixed(2)}x\n`);
  }
  if (streamsSides.length > 0) process.stdout.write(`optline / best Kafka Streams: ${(median(matcher.map((d) => d.rate)) / best).toFixed(2)} (rate), CPU per reply ${(median(matcher.map((d) => d.cpuUsPerReply)) / bestCpu).toFixed(2)}x Streams' best\n`);
  process.stdout.write(`${checks.join('\n')}\n`);
}

/** Every side's outputs against the matcher's: per key in order, and per partition as sets (output-digest.ts). */
async function checkOutputs(b: Backlog, drains: Map<string, Drain>, tag: string): Promise<string[]> {
  const serde = new AvroSerde(b.config.schemaRegistryUrl, b.topics);
  const admin = b.kafka.admin();
  await admin.connect();
  const lines: string[] = [];
  try {
    const unexpected = [b.topics.deadLetter.name, b.topics.replies.name, b.topics.possibleOptOuts.name];
    for (const topic of unexpected) {
      const n = await recordsIn(admin, topic);
      if (n > 0) lines.push(`${tag} WARNING: the matcher wrote ${n} offsets to ${topic}, which the Streams peer does not implement`);
    }
  } finally {
    await admin.disconnect();
  }
  log(`${tag} checking outputs (decoding every record of every side)`);
  const t0 = performance.now();
  // One consumer for every side's topics: each group join costs the broker's initial rebalance delay.
  const all = await digestTopics(b.kafka, serde, [...drains.values()].flatMap((d) => d.outputs));
  const digests = new Map<string, TopicDigest[]>([...drains].map(([name, d]) => [name, d.outputs.map((t) => all.get(t)!)]));
  log(`${tag} outputs decoded and digested in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const what = ['blacklist', 'blacklist history', 'facts'];
  const ref = digests.get(MATCHER)!;
  for (const [name, ds] of digests) {
    if (name === MATCHER) continue;
    const parts = ds.map((d, i) => `${what[i]} ${fmt(d.records)} records${d.tombstones ? ` (${fmt(d.tombstones)} tombstones)` : ''}: ${compareDigests(ref[i]!, d)}`);
    lines.push(`${tag} ${name} vs optline matcher: ${parts.join('; ')}`);
  }
  return lines;
}
