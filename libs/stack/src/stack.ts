import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ensureDownloaded } from './download.ts';
import { findJava, StackError } from './java.ts';
import { brokerCount, kafkaNodes, serverProperties, type KafkaNode, type StackPorts } from './nodes.ts';
import { stackPaths, type StackPaths } from './paths.ts';
import { livePid, logTail, managed, portOpen, sleep, startDetached, stopProcess, type ManagedProcess } from './processes.ts';

export const KAFKA_VERSION = '4.1.1';
export const APICURIO_VERSION = '3.3.3';

export interface StackEndpoints {
  brokers: string;
  schemaRegistryUrl: string;
}

export interface ProcessStatus {
  name: string;
  pid: number | undefined;
  address: string;
  answering: boolean;
}

function ports(env = process.env): StackPorts {
  return {
    kafka: Number(env.OPTLINE_STACK_KAFKA_PORT ?? 9092),
    controller: Number(env.OPTLINE_STACK_CONTROLLER_PORT ?? 9093),
    registry: Number(env.OPTLINE_STACK_REGISTRY_PORT ?? 8081),
  };
}

export function localEndpoints(p: StackPorts = ports(), count = 1): StackEndpoints {
  const brokers = Array.from({ length: count }, (_, i) => `127.0.0.1:${p.kafka + 2 * i}`).join(',');
  return { brokers, schemaRegistryUrl: `http://127.0.0.1:${p.registry}/apis/ccompat/v7` };
}

// `up` remembers how many nodes it started, so that `status` and `down` need not be told.
function recordedCount(paths: StackPaths): number {
  const file = join(paths.run, 'brokers');
  return existsSync(file) ? brokerCount(readFileSync(file, 'utf8').trim()) : 1;
}

function nodesOf(paths: StackPaths, env: NodeJS.ProcessEnv, count: number): KafkaNode[] {
  try {
    return kafkaNodes(paths, ports(env), count);
  } catch (err) {
    throw new StackError((err as Error).message, 'choose other ports');
  }
}

const LOG4J2 = `Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        Pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Logger:
      - name: kafka
        level: WARN
      - name: org.apache.kafka
        level: WARN
      - name: kafka.server.KafkaRaftServer
        level: INFO
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
`;

function processes(paths: StackPaths, nodes: readonly KafkaNode[]): { kafka: ManagedProcess[]; registry: ManagedProcess } {
  return { kafka: nodes.map((n) => managed(paths.run, paths.logs, n.name)), registry: managed(paths.run, paths.logs, 'schema-registry') };
}

/** Answers once the broker takes requests and (given a count) sees that many brokers in the cluster. */
async function kafkaAnswers(brokers: string, count = 1): Promise<boolean> {
  const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length >= count;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function registryAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function waitFor(what: string, proc: ManagedProcess | undefined, marker: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    if (proc && livePid(proc, marker) === undefined) {
      throw new StackError(`${what} exited during start; last lines of ${proc.logFile}:\n${logTail(proc)}`, 'read the log above; `npx optline stack down` then `up` again');
    }
    await sleep(500);
  }
  throw new StackError(`${what} did not answer within ${timeoutMs / 1000}s`, `see ${proc?.logFile ?? 'its log'}`);
}

async function ensurePortFree(port: number, what: string): Promise<void> {
  if (await portOpen(port)) {
    throw new StackError(
      `port ${port} (${what}) is already taken by a process this stack did not start`,
      `stop that process, or use it: export OPTLINE_KAFKA_BROKERS / OPTLINE_SCHEMA_REGISTRY_URL, or move the stack with OPTLINE_STACK_KAFKA_PORT / OPTLINE_STACK_REGISTRY_PORT`,
    );
  }
}

/** The cluster id every node is formatted with; kept so a node formatted later joins the same cluster. */
function clusterId(paths: StackPaths, java: string, classpath: string): string {
  const file = join(paths.home, 'cluster-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const id = execFileSync(java, ['-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' }).trim();
  writeFileSync(file, id);
  return id;
}

function startKafka(paths: StackPaths, node: KafkaNode, nodes: readonly KafkaNode[], proc: ManagedProcess): void {
  const java = findJava(17, `Apache Kafka ${KAFKA_VERSION}`);
  mkdirSync(paths.run, { recursive: true });
  const log4j = join(paths.run, 'log4j2.yaml');
  writeFileSync(node.propsFile, serverProperties(node, nodes));
  writeFileSync(log4j, LOG4J2);
  const classpath = `${paths.lib}/*`;
  if (!existsSync(join(node.dataDir, 'meta.properties'))) {
    const id = clusterId(paths, java, classpath);
    execFileSync(java, ['-cp', classpath, `-Dlog4j2.configurationFile=${log4j}`, 'kafka.tools.StorageTool', 'format', '-t', id, '-c', node.propsFile], { stdio: 'ignore' });
  }
  // Three JVMs share 2 cores with the services: smaller heaps per node in a cluster.
  const heap = nodes.length > 1 ? ['-Xms128m', '-Xmx512m'] : ['-Xms256m', '-Xmx1g'];
  startDetached(proc, java, [...heap, '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${log4j}`, `-Dkafka.logs.dir=${paths.logs}`, '-cp', classpath, 'kafka.Kafka', node.propsFile], paths.home);
}

function startRegistry(paths: StackPaths, p: StackPorts, proc: ManagedProcess): void {
  const java = findJava(21, `Apicurio Registry ${APICURIO_VERSION}`);
  mkdirSync(paths.registryData, { recursive: true });
  // H2 on disk, so schema ids stay valid for the records already in Kafka across restarts.
  startDetached(
    proc,
    java,
    [
      '-Xms128m',
      '-Xmx512m',
      '-Dquarkus.http.host=127.0.0.1',
      `-Dquarkus.http.port=${p.registry}`,
      // The management interface is fixed on at build time; keep it on loopback, off common ports.
      '-Dquarkus.management.host=127.0.0.1',
      `-Dquarkus.management.port=${p.registry + 1000}`,
      '-Dquarkus.log.level=WARN',
      '-Dquarkus.log.category."io.quarkus".level=INFO',
      `-Dapicurio.datasource.url=jdbc:h2:file:${paths.registryData}/registry;DB_CLOSE_ON_EXIT=FALSE`,
      '-jar',
      join(paths.registryHome, 'quarkus-run.jar'),
    ],
    paths.registryHome,
  );
}

export interface UpResult extends StackEndpoints {
  started: string[];
  external: boolean;
}

/**
 * Starts (or finds) Kafka and the schema registry and waits until both answer. With
 * OPTLINE_KAFKA_BROKERS set it starts nothing and only checks the configured endpoints.
 * OPTLINE_STACK_BROKERS (or `brokers`) > 1 starts that many combined KRaft nodes, one cluster.
 */
export async function stackUp(progress: (line: string) => void = () => undefined, env = process.env, brokers?: number): Promise<UpResult> {
  if (env.OPTLINE_KAFKA_BROKERS?.trim()) {
    const endpoints = { brokers: env.OPTLINE_KAFKA_BROKERS.trim(), schemaRegistryUrl: env.OPTLINE_SCHEMA_REGISTRY_URL?.trim() || localEndpoints().schemaRegistryUrl };
    const first = endpoints.brokers.split(',')[0]!.trim();
    // Both at once: `optline start` waits for them, a restart after a crash too.
    await Promise.all([
      waitFor(`Kafka at ${first}`, undefined, '', () => kafkaAnswers(first), 30_000),
      waitFor(`schema registry at ${endpoints.schemaRegistryUrl}`, undefined, '', () => registryAnswers(endpoints.schemaRegistryUrl), 30_000),
    ]);
    return { ...endpoints, started: [], external: true };
  }
  const paths = stackPaths(env.OPTLINE_STACK_HOME);
  const p = ports(env);
  const count = brokers ?? countFrom(env);
  const nodes = nodesOf(paths, env, count);
  const endpoints = localEndpoints(p, count);
  const procs = processes(paths, nodes);
  mkdirSync(paths.run, { recursive: true });
  const running = runningKafka(paths).filter((name) => !nodes.some((n) => n.name === name));
  if (running.length) {
    throw new StackError(`this stack already runs ${running.join(', ')}, not a stack of ${count} broker(s)`, '`npx optline stack down` first, or use another OPTLINE_STACK_HOME');
  }
  writeFileSync(join(paths.run, 'brokers'), String(count));
  const started: string[] = [];

  for (const [i, node] of nodes.entries()) {
    if (livePid(procs.kafka[i]!, paths.home) !== undefined) continue;
    // A one-node stack's node is named 'kafka': say "Kafka", as before there were clusters.
    const label = nodes.length === 1 ? '' : ` ${node.name}`;
    await ensurePortFree(node.kafkaPort, `Kafka${label}`);
    await ensurePortFree(node.controllerPort, `Kafka controller${label}`);
    ensureDownloaded(paths, progress);
    progress(`starting Apache Kafka ${KAFKA_VERSION} (KRaft) ${node.name} on 127.0.0.1:${node.kafkaPort}`);
    startKafka(paths, node, nodes, procs.kafka[i]!);
    started.push(node.name);
  }
  if (livePid(procs.registry, paths.home) === undefined) {
    await ensurePortFree(p.registry, 'schema registry');
    ensureDownloaded(paths, progress);
    progress(`starting Apicurio Registry ${APICURIO_VERSION} on http://127.0.0.1:${p.registry}`);
    startRegistry(paths, p, procs.registry);
    started.push('schema-registry');
  }
  // Every node must have joined before a topic of replication `count` can be created.
  for (const [i, node] of nodes.entries()) {
    await waitFor(`Kafka ${node.name}`, procs.kafka[i], paths.home, () => kafkaAnswers(`127.0.0.1:${node.kafkaPort}`, count), 90_000);
  }
  await waitFor('schema registry', procs.registry, paths.home, () => registryAnswers(endpoints.schemaRegistryUrl), 120_000);
  return { ...endpoints, started, external: false };
}

function countFrom(env: NodeJS.ProcessEnv): number {
  try {
    return brokerCount(env.OPTLINE_STACK_BROKERS);
  } catch (err) {
    throw new StackError(`OPTLINE_STACK_BROKERS: ${(err as Error).message}`, 'use 1 (the default) or 3');
  }
}

/** Names of the Kafka nodes of this stack whose pid files point at live processes. */
function runningKafka(paths: StackPaths): string[] {
  if (!existsSync(paths.run)) return [];
  const names = readdirSync(paths.run).filter((f) => /^kafka(-\d+)?\.pid$/.test(f)).map((f) => f.slice(0, -4));
  return names.filter((name) => livePid(managed(paths.run, paths.logs, name), paths.home) !== undefined).sort();
}

/** Stops exactly the processes this stack started (by pid file), then waits for the ports. */
export async function stackDown(progress: (line: string) => void = () => undefined, env = process.env): Promise<string[]> {
  const paths = stackPaths(env.OPTLINE_STACK_HOME);
  const nodes = nodesOf(paths, env, recordedCount(paths));
  const registry = managed(paths.run, paths.logs, 'schema-registry');
  const stopped: string[] = [];
  // The registry first: it may hold connections to nothing else, and Kafka's clean shutdown is slower.
  if (await stopProcess(registry, paths.home)) {
    progress(`stopped ${registry.name}`);
    stopped.push(registry.name);
  }
  // All nodes at once: one by one, the last would wait out its grace for a controller quorum
  // the earlier ones took away.
  const kafka = runningKafka(paths).map((name) => managed(paths.run, paths.logs, name));
  const done = await Promise.all(kafka.map((proc) => stopProcess(proc, paths.home, nodes.length > 1 ? 15_000 : 30_000)));
  for (const [i, proc] of kafka.entries()) {
    if (!done[i]) continue;
    progress(`stopped ${proc.name}`);
    stopped.push(proc.name);
  }
  const p = ports(env);
  for (const port of [...nodes.flatMap((n) => [n.kafkaPort, n.controllerPort]), p.registry]) {
    const deadline = Date.now() + 10_000;
    while ((await portOpen(port)) && Date.now() < deadline) await sleep(200);
  }
  return stopped;
}

export async function stackStatus(env = process.env): Promise<ProcessStatus[]> {
  const paths = stackPaths(env.OPTLINE_STACK_HOME);
  const nodes = nodesOf(paths, env, recordedCount(paths));
  const procs = processes(paths, nodes);
  const endpoints = localEndpoints(ports(env), nodes.length);
  const kafka = await Promise.all(
    nodes.map(async (n, i) => ({ name: n.name, pid: livePid(procs.kafka[i]!, paths.home), address: `127.0.0.1:${n.kafkaPort}`, answering: await kafkaAnswers(`127.0.0.1:${n.kafkaPort}`) })),
  );
  return [...kafka, { name: 'schema-registry', pid: livePid(procs.registry, paths.home), address: endpoints.schemaRegistryUrl, answering: await registryAnswers(endpoints.schemaRegistryUrl) }];
}
