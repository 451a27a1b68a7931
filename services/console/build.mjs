// Bundles the console (app/) into dist/ with esbuild: one ES module with the core's own
// matcher and validation inside, the page and its styles. Runs at `npm ci` (postinstall), so
// `npm start` serves a built console with no extra step; ~0.3 s.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const distDir = join(here, 'dist');

export async function buildConsole({ outdir = distDir, minify = true } = {}) {
  const { build } = await import('esbuild');
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: [join(here, 'app/main.tsx')],
    outfile: join(outdir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  });
  await copyFile(join(here, 'app/index.html'), join(outdir, 'index.html'));
  await copyFile(join(here, 'app/style.css'), join(outdir, 'style.css'));
  return { bytes: result.metafile.outputs[Object.keys(result.metafile.outputs).find((f) => f.endsWith('app.js'))].bytes };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  const { bytes } = await buildConsole();
  console.log(`console: built ${distDir} (app.js ${(bytes / 1024).toFixed(0)} kB) in ${Date.now() - started} ms`);
}
