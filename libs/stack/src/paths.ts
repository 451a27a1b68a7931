import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file whose package.json is `optline`. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'optline' && existsSync(join(dir, 'stack', 'pom.xml'))) {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the optline repository root (a package.json named optline with stack/pom.xml)');
    dir = parent;
  }
}

export interface StackPaths {
  root: string;
  pom: string;
  home: string;
  lib: string;
  registryHome: string;
  kafkaData: string;
  registryData: string;
  logs: string;
  run: string;
}

/** Everything the local stack writes lives under one ignored folder (`.optline/stack`). */
export function stackPaths(home = process.env.OPTLINE_STACK_HOME): StackPaths {
  const root = repoRoot();
  const base = resolve(root, home ?? '.optline/stack');
  return {
    root,
    pom: join(root, 'stack', 'pom.xml'),
    home: base,
    lib: join(base, 'lib'),
    registryHome: join(base, 'apicurio'),
    kafkaData: join(base, 'kafka-data'),
    registryData: join(base, 'registry-data'),
    logs: join(base, 'logs'),
    run: join(base, 'run'),
  };
}
