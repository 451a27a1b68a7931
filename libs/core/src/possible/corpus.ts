// The labelled corpus of replies (libs/core/corpus/possible-opt-outs/<language>.tsv) and the
// precision and recall of a detector on it. Parsing and scoring are pure; reading the files is
// the caller's (the corpus test and `bench possible-opt-outs`).

import type { PossibleOptOutDetector } from './detector.ts';

/** Where the corpus files are, one per language: `<language>.tsv`. */
export const CORPUS_DIR = new URL('../../corpus/possible-opt-outs/', import.meta.url);

export type CorpusKind = 'request' | 'typo' | 'mention' | 'question' | 'nps' | 'reply';
const KINDS = new Set<string>(['request', 'typo', 'mention', 'question', 'nps', 'reply']);

export interface CorpusItem {
  readonly language: string;
  readonly line: number;
  /** A request to stop. */
  readonly stop: boolean;
  readonly kind: CorpusKind;
  readonly body: string;
}

/** Lines `label<TAB>kind<TAB>body`; `#` starts a comment line. Throws naming the bad line. */
export function parseCorpus(language: string, text: string): CorpusItem[] {
  const items: CorpusItem[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) return;
    const [label, kind, ...rest] = line.split('\t');
    const body = rest.join('\t');
    const where = `${language}.tsv line ${index + 1}`;
    if (label !== '0' && label !== '1') throw new Error(`${where}: label must be 0 or 1, not ${JSON.stringify(label)}`);
    if (kind === undefined || !KINDS.has(kind)) throw new Error(`${where}: kind must be one of ${[...KINDS].join(', ')}`);
    if (body === '') throw new Error(`${where}: empty body`);
    items.push({ language, line: index + 1, stop: label === '1', kind: kind as CorpusKind, body });
  });
  return items;
}

export interface Score {
  readonly language: string;
  readonly items: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  /** 1 when nothing was flagged. */
  readonly precision: number;
  /** 1 when nothing should have been. */
  readonly recall: number;
  readonly errors: readonly { item: CorpusItem; flagged: boolean; reason: string | null }[];
}

function score(language: string, items: readonly CorpusItem[], detector: PossibleOptOutDetector): Score {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const errors: Score['errors'][number][] = [];
  for (const item of items) {
    const r = detector.detect(item.body);
    if (r.possible && item.stop) tp++;
    else if (r.possible) fp++;
    else if (item.stop) fn++;
    if (r.possible !== item.stop) errors.push({ item, flagged: r.possible, reason: r.reason });
  }
  return {
    language, items: items.length, truePositives: tp, falsePositives: fp, falseNegatives: fn,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    errors,
  };
}

/** One score per language (in the order first seen), then `all`. */
export function scoreCorpus(items: readonly CorpusItem[], detector: PossibleOptOutDetector): Score[] {
  const languages = [...new Set(items.map((i) => i.language))];
  return [
    ...languages.map((l) => score(l, items.filter((i) => i.language === l), detector)),
    score('all', items, detector),
  ];
}
