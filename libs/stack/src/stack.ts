import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ensureDownloaded } from './download.ts';
import { findJava, StackError } from './java.ts';
import { stackPaths, type StackPaths } from './paths.ts';
import { livePid, logTail, managed, portOpen, sleep, startDetached, stopProcess, type ManagedProcess } from './processes.ts';

export const KAFKA_VERSION = '4.1.1';
export const APICURIO_VERSION = '3.3.3';

export interface StackPorts {
  kafka: number;
  controller: number;
  registry: number;
}

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

export function localEndpoints(p: StackPorts = ports()): StackEndpoints {
  return { brokers: `127.0.0.1:${p.kafka}`, schemaRegistryUrl: `http://127.0.0.1:${p.registry}/apis/ccompat/v7` };
}

// A single combined broker+controller; every internal topic at replication 1 so that
// transactions and consumer groups work on one node.
function serverProperties(paths: StackPaths, p: StackPorts): string {
  return `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${p.controller}
listeners=PLAINTEXT://127.0.0.1:${p.kafka},CONTROLLER://127.0.0.1:${p.controller}
advertised.listeners=PLAINTEXT://127.0.0.1:${p.kafka}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=${paths.kafkaData}
num.partitions=6
auto.create.topics.enable=false
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=6
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.segment.bytes=67108864
`;
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

function processes(paths: StackPaths): { kafka: ManagedProcess; registry: ManagedProcess } {
  return { kafka: managed(paths.run, paths.logs, 'kafka'), registry: managed(paths.run, paths.logs, 'schema-registry') };
}

async function kafkaAnswers(brokers: string): Promise<boolean> {
  const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
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

function startKafka(paths: StackPaths, p: StackPorts, proc: ManagedProcess): void {
  const java = findJava(17, `Apache Kafka ${KAFKA_VERSION}`);
  mkdirSync(paths.run, { recursive: true });
  const props = join(paths.run, 'server.properties');
  const log4j = join(paths.run, 'log4j2.yaml');
  writeFileSync(props, serverProperties(paths, p));
  writeFileSync(log4j, LOG4J2);
  const classpath = `${paths.lib}/*`;
  if (!existsSync(join(paths.kafkaData, 'meta.properties'))) {
    const clusterId = execFileSync(java, ['-cp', classpath, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' }).trim();
    execFileSync(java, ['-cp', classpath, `-Dlog4j2.configurationFile=${log4j}`, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props], { stdio: 'ignore' });
  }
  startDetached(proc, java, ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${log4j}`, `-Dkafka.logs.dir=${paths.logs}`, '-cp', classpath, 'kafka.Kafka', props], paths.home);
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
 */
export async function stackUp(progress: (line: string) => void = () => undefined, env = process.env): Promise<UpResult> {
  if (env.OPTLINE_KAFKA_BROKERS?.trim()) {
    const endpoints = { brokers: env.OPTLINE_KAFKA_BROKERS.trim(), schemaRegistryUrl: env.OPTLINE_SCHEMA_REGISTRY_URL?.trim() || localEndpoints().schemaRegistryUrl };
    const first = endpoints.brokers.split(',')[0]!.trim();
    await waitFor(`Kafka at ${first}`, undefined, '', () => kafkaAnswers(first), 30_000);
    await waitFor(`schema registry at ${endpoints.schemaRegistryUrl}`, undefined, '', () => registryAnswers(endpoints.schemaRegistryUrl), 30_000);
    return { ...endpoints, started: [], external: true };
  }
  const paths = stackPaths(env.OPTLINE_STACK_HOME);
  const p = ports(env);
  const endpoints = localEndpoints(p);
  const procs = processes(paths);
  mkdirSync(paths.home, { recursive: true });
  const started: string[] = [];

  if (livePid(procs.kafka, paths.home) === undefined) {
    await ensurePortFree(p.kafka, 'Kafka');
    await ensurePortFree(p.controller, 'Kafka controller');
    ensureDownloaded(paths, progress);
    progress(`starting Apache Kafka ${KAFKA_VERSION} (KRaft) on ${endpoints.brokers}`);
    startKafka(paths, p, procs.kafka);
    started.push('kafka');
  }
  if (livePid(procs.registry, paths.home) === undefined) {
    await ensurePortFree(p.registry, 'schema registry');
    ensureDownloaded(paths, progress);
    progress(`starting Apicurio Registry ${APICURIO_VERSION} on http://127.0.0.1:${p.registry}`);
    startRegistry(paths, p, procs.registry);
    started.push('schema-registry');
  }
  await waitFor('Kafka', procs.kafka, paths.home, () => kafkaAnswers(endpoints.brokers), 90_000);
  await waitFor('schema registry', procs.registry, paths.home, () => registryAnswers(endpoints.schemaRegistryUrl), 120_000);
  return { ...endpoints, started, external: false };
}

/** Stops exactly the processes this stack started (by pid file), then waits for the ports. */
export async function stackDown(progress: (line: string) => void = () => undefined, env = process.env): Promise<string[]> {
  const paths = stackPaths(env.OPTLINE_STACK_HOME);
  const procs = processes(paths);
  const stopped: string[] = [];
  // The registry first: it may hold connections to nothing else, and Kafka's clean shutdown is slower.
  for (const proc of [procs.registry, procs.kafka]) {
    if (await stopProcess(proc, paths.home)) {
      progress(`stopped ${proc.name}`);
      stopped.push(proc.name);
    }
  }
  const p = ports(env);
  for (const port of [p.kafka, p.controller, p.registry]) {
    const deadline = Date.now() + 10_000;
    while ((await portOpen(port)) && Date.now() < deadline) await sleep(200);
  }
  return stopped;
}

export async function stackStatus(env = process.env): Promise<ProcessStatus[]> {
  const paths = stackPaths(env.OPTLINE_STACK_HOME);
  const procs = processes(paths);
  const endpoints = localEndpoints(ports(env));
  return [
    { name: 'kafka', pid: livePid(procs.kafka, paths.home), address: endpoints.brokers, answering: await kafkaAnswers(endpoints.brokers) },
    { name: 'schema-registry', pid: livePid(procs.registry, paths.home), address: endpoints.schemaRegistryUrl, answering: await registryAnswers(endpoints.schemaRegistryUrl) },
  ];
}
