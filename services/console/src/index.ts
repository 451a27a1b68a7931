// @optline/console, the Node side: where the built console is, for the API to serve it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/, written by build.mjs at install (postinstall) or by `npm run build -w @optline/console`. */
export const consoleDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

export function consoleBuilt(dir = consoleDir): boolean {
  return existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'app.js'));
}

/** Builds the console into dist/ (what postinstall runs); for tests that must not depend on an earlier install. */
export async function buildConsole(options: { outdir?: string; minify?: boolean } = {}): Promise<{ bytes: number }> {
  // build.mjs is plain JavaScript so that postinstall needs no TypeScript loader.
  const { buildConsole: build } = await import('../build.mjs');
  return build(options);
}
