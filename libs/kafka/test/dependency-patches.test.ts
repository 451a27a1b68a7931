// Every change to a dependency lives in patches/ (see patches/README.md), made for one exact
// version. patch-package applies a patch to another version with only a warning, or not at all,
// so a range in a package.json could silently run unpatched code: every workspace must pin
// a patched package to exactly the patch's version, and that is the version installed.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const require = createRequire(join(root, 'package.json'));
// patch-package's names: <name>+<version>[+<sequence>+<label>].patch, a scope as @scope+name.
const patches = readdirSync(join(root, 'patches'))
  .filter((f) => f.endsWith('.patch'))
  .map((file) => {
    const parts = file.slice(0, -'.patch'.length).split('+');
    const scoped = parts[0]!.startsWith('@');
    return { file, name: scoped ? `${parts[0]}/${parts[1]}` : parts[0]!, version: parts[scoped ? 2 : 1]! };
  });

function workspaceManifests(): Array<{ path: string; deps: Record<string, string> }> {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  const dirs = workspaces.flatMap((w) => (w.endsWith('/*') ? readdirSync(join(root, w.slice(0, -2))).map((d) => join(w.slice(0, -2), d)) : [w]));
  return ['.', ...dirs].flatMap((dir) => {
    try {
      const m = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
      return [{ path: join(dir, 'package.json'), deps: { ...m.dependencies, ...m.devDependencies, ...m.optionalDependencies } }];
    } catch {
      return [];
    }
  });
}

describe('dependency patches', () => {
  it('are documented in patches/README.md', () => {
    const readme = readFileSync(join(root, 'patches/README.md'), 'utf8');
    expect(patches.length).toBeGreaterThan(0);
    for (const p of patches) expect(readme, p.file).toContain(p.file);
  });

  it('are for the installed version, and every workspace pins that version exactly', () => {
    const manifests = workspaceManifests();
    for (const p of patches) {
      const installed = (require(`${p.name}/package.json`) as { version: string }).version;
      expect(installed, `${p.name} installed`).toBe(p.version);
      const ranges = manifests.filter((m) => m.deps[p.name] !== undefined).map((m) => [m.path, m.deps[p.name]]);
      expect(ranges.length, `${p.name} is a dependency somewhere`).toBeGreaterThan(0);
      for (const [path, range] of ranges) expect(range, `${p.name} in ${path}`).toBe(p.version);
    }
  });
});
