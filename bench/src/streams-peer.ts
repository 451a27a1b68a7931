// The Kafka Streams peer (bench/streams-peer): built once with Maven into a shaded jar (rebuilt
// when a source, the pom or an Avro schema is newer than the jar), run as a JVM of its own.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));
export const PEER_DIR = join(benchDir, 'streams-peer');
export const PEER_JAR = join(PEER_DIR, 'target', 'streams-peer.jar');
const SCHEMAS = join(benchDir, '..', 'schemas', 'avro');

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** The jar, built if missing or older than its inputs: offline first (Maven cache), else online. */
export function ensurePeerJar(log: (line: string) => void): string {
  const inputs = Math.max(newestMtime(join(PEER_DIR, 'src')), newestMtime(join(PEER_DIR, 'pom.xml')), newestMtime(SCHEMAS));
  if (existsSync(PEER_JAR) && statSync(PEER_JAR).mtimeMs >= inputs) return PEER_JAR;
  for (const args of [['-q', '-o', 'package'], ['-q', 'package']]) {
    log(`building the Kafka Streams peer: mvn ${args.join(' ')} (in ${PEER_DIR})`);
    const r = spawnSync('mvn', args, { cwd: PEER_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status === 0 && existsSync(PEER_JAR)) return PEER_JAR;
  }
  throw new Error(`bench: could not build ${PEER_JAR} (needs Maven and a JDK 17+; see bench/streams-peer/pom.xml)`);
}

/** A Java 17+ binary: JAVA_HOME's, else the one on PATH. */
export function javaBinary(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

export interface PeerOptions {
  applicationId: string;
  threads: number;
  stateDir: string;
  brokers: string;
  registryUrl: string;
  replicationFactor: number;
  /** Input topics, output topics (the peer's own) and the subjects whose schema ids it writes with. */
  inbound: string;
  settings: string;
  outputs: { blacklist: string; history: string; facts: string; deadLetter: string };
  subjects: { blacklist: string; history: string; facts: string };
  heap?: string;
}

export function startPeer(jar: string, o: PeerOptions, log: (line: string) => void): ChildProcess {
  const env = {
    ...process.env,
    STREAMS_PEER_APPLICATION_ID: o.applicationId, STREAMS_PEER_THREADS: String(o.threads), STREAMS_PEER_STATE_DIR: o.stateDir,
    STREAMS_PEER_BROKERS: o.brokers, STREAMS_PEER_REGISTRY_URL: o.registryUrl, STREAMS_PEER_REPLICATION_FACTOR: String(o.replicationFactor),
    STREAMS_PEER_INBOUND: o.inbound, STREAMS_PEER_SETTINGS: o.settings,
    STREAMS_PEER_BLACKLIST: o.outputs.blacklist, STREAMS_PEER_HISTORY: o.outputs.history, STREAMS_PEER_FACTS: o.outputs.facts, STREAMS_PEER_DEAD_LETTER: o.outputs.deadLetter,
    STREAMS_PEER_BLACKLIST_SUBJECT: o.subjects.blacklist, STREAMS_PEER_HISTORY_SUBJECT: o.subjects.history, STREAMS_PEER_FACTS_SUBJECT: o.subjects.facts,
  };
  const heap = o.heap ?? '2g';
  // STREAMS_PEER_JAVA_OPTS: more JVM flags (a flight recording, another collector).
  const extra = (process.env.STREAMS_PEER_JAVA_OPTS ?? '').split(' ').filter(Boolean);
  const child = spawn(javaBinary(), [`-Xms${heap}`, `-Xmx${heap}`, ...extra, '-jar', jar], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (line.trim()) log(`  [peer ${o.threads}t] ${line}`);
  });
  return child;
}
