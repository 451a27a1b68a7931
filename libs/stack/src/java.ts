import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export class StackError extends Error {
  constructor(message: string, readonly hint: string) {
    super(`${message}\n  what to do: ${hint}`);
    this.name = 'StackError';
  }
}

function javaMajor(javaBin: string): number | undefined {
  // `java -version` prints to stderr.
  const result = spawnSync(javaBin, ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return result.error ? undefined : parseMajor(`${result.stderr}${result.stdout}`);
}

function parseMajor(versionText: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionText);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 ? Number(m[2]) : first;
}

function candidates(): string[] {
  const list: string[] = [];
  if (process.env.JAVA_HOME) list.push(join(process.env.JAVA_HOME, 'bin', 'java'));
  list.push('java');
  const jvmDir = '/usr/lib/jvm';
  if (existsSync(jvmDir)) {
    for (const entry of readdirSync(jvmDir)) list.push(join(jvmDir, entry, 'bin', 'java'));
  }
  return list;
}

/**
 * Kafka 4.x needs Java 17+, Apicurio Registry 3.x needs Java 21+. Machines often carry
 * several JDKs, so look beyond the default `java` before giving up.
 */
export function findJava(minMajor: number, purpose: string): string {
  const seen: string[] = [];
  for (const bin of candidates()) {
    if (bin !== 'java' && !existsSync(bin)) continue;
    const major = javaMajor(bin);
    if (major === undefined) continue;
    seen.push(`${bin} (${major})`);
    if (major >= minMajor) return bin;
  }
  throw new StackError(
    `${purpose} needs Java ${minMajor} or newer; found ${seen.length ? seen.join(', ') : 'no Java at all'}`,
    `install a JDK ${minMajor}+ (e.g. apt-get install openjdk-${minMajor}-jdk-headless) or point JAVA_HOME at one`,
  );
}

export function findMaven(): string {
  try {
    execFileSync('mvn', ['-v'], { stdio: 'ignore' });
    return 'mvn';
  } catch {
    throw new StackError('Maven (mvn) is not installed or not on PATH', 'install it (apt-get install maven) or use docker compose up -d with OPTLINE_KAFKA_BROKERS=127.0.0.1:9092');
  }
}
