// The labelled corpus (libs/core/corpus/possible-opt-outs): the detector's precision and recall
// on it, per language and overall, against the targets. `npm run bench -- possible`
// prints the same figures as a table.
import { describe, expect, it } from 'vitest';
import { compileKeywords, compilePossibleOptOuts, DEFAULT_OPT_OUT_KEYWORDS } from '@optline/core';
import { CORPUS_DIR, readCorpus, scoreCorpus } from '@optline/core/corpus';

const corpus = readCorpus();
const holdout = readCorpus(new URL('holdout/', CORPUS_DIR));
const scores = scoreCorpus(corpus, compilePossibleOptOuts(DEFAULT_OPT_OUT_KEYWORDS));
const overall = scores.find((s) => s.language === 'all')!;

describe('the possible-opt-out corpus', () => {
  it('has at least 600 replies in at least 8 languages, with requests and ordinary replies in each', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(600);
    const languages = new Set(corpus.map((i) => i.language));
    expect(languages.size).toBeGreaterThanOrEqual(8);
    for (const language of languages) {
      const items = corpus.filter((i) => i.language === language);
      expect(items.filter((i) => i.stop).length, language).toBeGreaterThanOrEqual(20);
      expect(items.filter((i) => !i.stop).length, language).toBeGreaterThanOrEqual(20);
      expect(new Set(items.map((i) => i.kind)).size, language).toBe(6);
    }
  });

  it('holds only replies that start with no default keyword: those are opt-outs, not possible ones', () => {
    const keywords = compileKeywords(DEFAULT_OPT_OUT_KEYWORDS);
    const starting = [...corpus, ...holdout].filter((i) => keywords.match(i.body) !== null).map((i) => `${i.language}:${i.line} ${i.body}`);
    expect(starting).toEqual([]);
  });

  it('keeps a held-out set in every language of the corpus, apart from it', () => {
    expect(new Set(holdout.map((i) => i.language))).toEqual(new Set(corpus.map((i) => i.language)));
    expect(holdout.length).toBeGreaterThanOrEqual(100);
  });

  it('has no reply twice, held-out ones included', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const i of [...corpus, ...holdout]) {
      const where = `${i.language}:${i.line}`;
      if (seen.has(i.body)) twice.push(`${where} repeats ${seen.get(i.body)}`);
      else seen.set(i.body, where);
    }
    expect(twice).toEqual([]);
  });

  it('meets precision >= 0.97 and recall >= 0.85 overall', () => {
    expect(overall.precision).toBeGreaterThanOrEqual(0.97);
    expect(overall.recall).toBeGreaterThanOrEqual(0.85);
  });

  it.each(scores.filter((s) => s.language !== 'all').map((s) => [s.language, s] as const))('meets the targets in %s', (_, s) => {
    expect(s.precision).toBeGreaterThanOrEqual(0.97);
    expect(s.recall).toBeGreaterThanOrEqual(0.85);
  });
});
