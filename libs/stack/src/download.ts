import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findMaven, StackError } from './java.ts';
import type { StackPaths } from './paths.ts';

/**
 * Fetches the pinned jars with Maven (stack/pom.xml) once per pom content, then unpacks the
 * registry's Quarkus fast-jar archive. A marker holding the pom's hash makes warm starts free.
 */
export function ensureDownloaded(paths: StackPaths, progress: (line: string) => void): void {
  const pomHash = createHash('sha256').update(readFileSync(paths.pom)).digest('hex').slice(0, 16);
  const marker = join(paths.home, `.downloaded-${pomHash}`);
  if (existsSync(marker) && existsSync(join(paths.registryHome, 'quarkus-run.jar'))) return;

  const mvn = findMaven();
  progress('downloading Kafka and Apicurio Registry from Maven Central (first start only)…');
  rmSync(paths.lib, { recursive: true, force: true });
  mkdirSync(paths.lib, { recursive: true });
  const result = spawnSync(mvn, ['-B', '-q', '-f', paths.pom, 'dependency:copy-dependencies', `-DoutputDirectory=${paths.lib}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new StackError(`Maven could not download the stack's jars:\n${tail}`, 'check that Maven Central is reachable (mvn settings, proxy) and run `npx optline stack up` again');
  }
  const archive = readdirSync(paths.lib).find((f) => f.startsWith('apicurio-registry-app-') && f.endsWith('.tar.gz'));
  if (!archive) throw new StackError('Maven finished but the Apicurio Registry archive is missing', 'delete .optline/stack and retry');
  rmSync(paths.registryHome, { recursive: true, force: true });
  mkdirSync(paths.registryHome, { recursive: true });
  execFileSync('tar', ['xzf', join(paths.lib, archive), '-C', paths.registryHome]);
  rmSync(join(paths.lib, archive));
  for (const old of readdirSync(paths.home).filter((f) => f.startsWith('.downloaded-'))) rmSync(join(paths.home, old));
  writeFileSync(marker, new Date().toISOString());
}
