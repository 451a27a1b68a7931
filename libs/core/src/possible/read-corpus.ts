// Reads the labelled corpus from the repository (`@optline/core/corpus`): kept out of the
// package's main entry, which does no I/O.
import { readdirSync, readFileSync } from 'node:fs';
import { CORPUS_DIR, parseCorpus, type CorpusItem } from './corpus.ts';

/** Every `<language>.tsv` of the corpus, languages in file-name order. */
export function readCorpus(dir: URL = CORPUS_DIR): CorpusItem[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.tsv')).sort();
  return files.flatMap((f) => parseCorpus(f.slice(0, -'.tsv'.length), readFileSync(new URL(f, dir), 'utf8')));
}

export * from './corpus.ts';
