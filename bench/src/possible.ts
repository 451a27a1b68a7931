// bench possible: the possible-opt-out detector's precision and recall on the labelled corpus
// (libs/core/corpus/possible-opt-outs), per language and overall, with the default opt-out
// keywords; then the same on the held-out replies, written after the rules were frozen and never
// used to tune them. The unit test libs/core/test/possible-corpus.test.ts asserts the targets.

import { compilePossibleOptOuts, DEFAULT_OPT_OUT_KEYWORDS } from '@optline/core';
import { CORPUS_DIR, readCorpus, scoreCorpus, type Score } from '@optline/core/corpus';
import { formatTable } from './harness.ts';

const TARGET = { precision: 0.97, recall: 0.85 };

function table(title: string, scores: readonly Score[]): string {
  const rows = scores.map((s) => [
    s.language, String(s.items), String(s.truePositives), String(s.falsePositives), String(s.falseNegatives),
    s.precision.toFixed(3), s.recall.toFixed(3),
  ]);
  return `${title}\n\n${formatTable(['language', 'replies', 'flagged right', 'false alarms', 'missed', 'precision', 'recall'], rows)}\n`;
}

export async function run(args: string[] = []): Promise<void> {
  const detector = compilePossibleOptOuts(DEFAULT_OPT_OUT_KEYWORDS);
  const corpus = scoreCorpus(readCorpus(), detector);
  const holdout = scoreCorpus(readCorpus(new URL('holdout/', CORPUS_DIR)), detector);
  const all = corpus.at(-1)!;
  process.stdout.write(`\n${table('possible opt-outs: the corpus (rules written with it), default keywords', corpus)}\n`);
  process.stdout.write(`${table('held-out replies (written after the rules were frozen; never tuned on)', holdout)}\n`);
  const ok = corpus.every((s) => s.precision >= TARGET.precision && s.recall >= TARGET.recall);
  process.stdout.write(`target (precision >= ${TARGET.precision}, recall >= ${TARGET.recall} on the corpus, every language and overall): ${ok ? 'met' : 'NOT met'} (overall ${all.precision.toFixed(3)} / ${all.recall.toFixed(3)})\n`);
  if (args.includes('--errors') || process.env.BENCH_POSSIBLE_ERRORS === '1') {
    for (const s of [...corpus, ...holdout]) {
      for (const e of s.errors) process.stdout.write(`${e.flagged ? 'false alarm' : 'missed'} ${s.language}:${e.item.line} ${JSON.stringify(e.item.body)}${e.reason ? ` (${e.reason})` : ''}\n`);
    }
  }
}
