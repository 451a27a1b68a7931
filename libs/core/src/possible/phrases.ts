// Phrase rules of the possible-opt-out detector: patterns over the words of a body (see
// words.ts), written per language as data (languages/*.ts) and compiled once.
//
// A pattern is words separated by spaces:
//   word          that word (in any case or accent: patterns are normalised like bodies)
//   pre*          any word starting with "pre" (at least 3 letters before the star)
//   a|b|c         one of them; each may be a prefix, a class, or $ (the end of the body)
//   @name         one of the words of the language's class `name`
//   [a|b]         optional
//   ...           up to three words of anything
//   ^ first, $ last: the pattern starts at the first word / ends at the last one.
// `stop` patterns read as a request to stop; `not` patterns mention stopping without asking
// for it ("don't stop", "stop by"), and a stop match that shares a word with one is dropped.

import { words } from './words.ts';

export interface LanguageRules {
  /** ISO 639-1 code. */
  readonly language: string;
  /** Word classes: name -> words and prefixes separated by spaces. */
  readonly classes: Readonly<Record<string, string>>;
  readonly stop: readonly string[];
  readonly not: readonly string[];
  /** Real words one slip from a common opt-out keyword ("quiet", "sto"): never typos. */
  readonly notTypos: readonly string[];
}

interface WordSet {
  readonly exact: ReadonlySet<string>;
  readonly prefixes: readonly string[];
  /** `$` among the alternatives: the end of the body will do too. */
  readonly orEnd: boolean;
}

type Element = { readonly kind: 'word'; readonly set: WordSet; readonly optional: boolean } | { readonly kind: 'gap' };

export interface Pattern {
  readonly language: string;
  /** `stop` or `not`. */
  readonly kind: 'stop' | 'not';
  /** The pattern as written, for explanations. */
  readonly source: string;
  readonly first: WordSet;
  readonly rest: readonly Element[];
  readonly atStart: boolean;
  readonly atEnd: boolean;
}

const GAP = 3;
const MIN_PREFIX = 3;

export class PhraseRuleError extends Error {
  constructor(language: string, pattern: string, problem: string) {
    super(`phrase rule ${language} ${JSON.stringify(pattern)}: ${problem}`);
    this.name = 'PhraseRuleError';
  }
}

function compileSet(rules: LanguageRules, source: string, alternatives: string): WordSet {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  let orEnd = false;
  const fail = (problem: string) => new PhraseRuleError(rules.language, source, problem);
  for (const alt of alternatives.split('|')) {
    if (alt === '$') {
      orEnd = true;
      continue;
    }
    if (alt.startsWith('@')) {
      const cls = rules.classes[alt.slice(1)];
      if (cls === undefined) throw fail(`unknown class ${alt}`);
      const inner = compileSet(rules, source, cls.trim().split(/\s+/).join('|'));
      inner.exact.forEach((w) => exact.add(w));
      prefixes.push(...inner.prefixes);
      orEnd ||= inner.orEnd;
      continue;
    }
    const prefix = alt.endsWith('*');
    const normal = words(prefix ? alt.slice(0, -1) : alt);
    if (normal.length !== 1) throw fail(`${JSON.stringify(alt)} is not one word`);
    if (prefix && normal[0]!.length < MIN_PREFIX) throw fail(`prefix ${JSON.stringify(alt)} is shorter than ${MIN_PREFIX} letters`);
    if (prefix) prefixes.push(normal[0]!);
    else exact.add(normal[0]!);
  }
  return { exact, prefixes, orEnd };
}

/** The patterns one written pattern stands for (an optional first word makes two). */
function compilePattern(rules: LanguageRules, kind: 'stop' | 'not', source: string): Pattern[] {
  // `^` and `$` may stand alone or touch the first / last word ("^baja $", "^hello").
  const trimmed = source.trim();
  const atStart = trimmed.startsWith('^');
  const atEnd = trimmed.endsWith(' $') || trimmed === '$';
  const body = trimmed.slice(atStart ? 1 : 0, atEnd ? -1 : undefined).trim().split(/\s+/);
  const elements: Element[] = body.map((part) => {
    if (part === '...') return { kind: 'gap' };
    if (part === '^' || part === '$') throw new PhraseRuleError(rules.language, source, `${part} only at the start or end`);
    const optional = part.startsWith('[') && part.endsWith(']');
    return { kind: 'word', set: compileSet(rules, source, optional ? part.slice(1, -1) : part), optional };
  });
  const out: Pattern[] = [];
  const expand = (from: readonly Element[]) => {
    const [head, ...rest] = from;
    if (head === undefined || head.kind === 'gap' || head.set.orEnd) throw new PhraseRuleError(rules.language, source, 'needs a required word first');
    if (head.optional) {
      expand(rest);
      if (rest.length === 0) return;
    }
    out.push({ language: rules.language, kind, source, first: head.set, rest, atStart, atEnd });
  };
  expand(elements);
  return out;
}

function matchesSet(set: WordSet, word: string): boolean {
  if (set.exact.has(word)) return true;
  for (const p of set.prefixes) if (word.startsWith(p)) return true;
  return false;
}

/** Index past the last word `rest` matches from `at`, or -1. */
function matchRest(p: Pattern, rest: readonly Element[], e: number, tokens: readonly string[], at: number): number {
  if (e === rest.length) return !p.atEnd || at === tokens.length ? at : -1;
  const element = rest[e]!;
  if (element.kind === 'gap') {
    for (let skip = 0; skip <= GAP && at + skip <= tokens.length; skip++) {
      const end = matchRest(p, rest, e + 1, tokens, at + skip);
      if (end >= 0) return end;
    }
    return -1;
  }
  if (at < tokens.length && matchesSet(element.set, tokens[at]!)) {
    const end = matchRest(p, rest, e + 1, tokens, at + 1);
    if (end >= 0) return end;
  }
  if (element.set.orEnd && at === tokens.length) return matchRest(p, rest, e + 1, tokens, at);
  return element.optional ? matchRest(p, rest, e + 1, tokens, at) : -1;
}

export interface PhraseMatch {
  readonly pattern: Pattern;
  readonly start: number;
  readonly end: number;
}

/** Every language's patterns, indexed by what their first word can be. */
export interface PhraseBook {
  /** The first stop match no not-match overlaps, or null. */
  find(tokens: readonly string[]): PhraseMatch | null;
}

const stemOf = (word: string) => word.charCodeAt(0) * 0x10000 + word.charCodeAt(1);
// A filter over the first two letters of every first word: most words of a reply start no
// pattern, and one array load tells so before any hashing.
const filterKey = (word: string) => ((word.charCodeAt(0) << 7) ^ (word.length > 1 ? word.charCodeAt(1) : 0)) & 0xffff;

export function compilePhrases(languages: readonly LanguageRules[]): PhraseBook {
  const byWord = new Map<string, Pattern[]>();
  // Prefix first words, by their first two letters as a number (no string per word looked up).
  const byStem = new Map<number, Array<{ prefix: string; pattern: Pattern }>>();
  for (const rules of languages) {
    for (const kind of ['stop', 'not'] as const) {
      for (const source of rules[kind]) {
        for (const pattern of compilePattern(rules, kind, source)) {
          for (const w of pattern.first.exact) {
            let list = byWord.get(w);
            if (list === undefined) byWord.set(w, (list = []));
            list.push(pattern);
          }
          for (const prefix of pattern.first.prefixes) {
            const stem = stemOf(prefix);
            let list = byStem.get(stem);
            if (list === undefined) byStem.set(stem, (list = []));
            list.push({ prefix, pattern });
          }
        }
      }
    }
  }

  const starts = new Uint8Array(0x10000);
  for (const w of byWord.keys()) starts[filterKey(w)] = 1;
  for (const list of byStem.values()) for (const { prefix } of list) starts[filterKey(prefix)] = 1;

  const tryAt = (pattern: Pattern, tokens: readonly string[], at: number, found: PhraseMatch[]) => {
    if (pattern.atStart && at !== 0) return;
    const end = matchRest(pattern, pattern.rest, 0, tokens, at + 1);
    if (end >= 0) found.push({ pattern, start: at, end });
  };

  return {
    find(tokens) {
      let found: PhraseMatch[] | null = null;
      for (let at = 0; at < tokens.length; at++) {
        const token = tokens[at]!;
        if (starts[filterKey(token)] === 0) continue;
        const exact = byWord.get(token);
        if (exact !== undefined) for (const pattern of exact) tryAt(pattern, tokens, at, (found ??= []));
        if (token.length < MIN_PREFIX) continue;
        const stemmed = byStem.get(stemOf(token));
        if (stemmed === undefined) continue;
        for (const { prefix, pattern } of stemmed) if (token.startsWith(prefix)) tryAt(pattern, tokens, at, (found ??= []));
      }
      if (found === null) return null;
      const nots = found.filter((m) => m.pattern.kind === 'not');
      for (const m of found) {
        if (m.pattern.kind !== 'stop') continue;
        if (!nots.some((n) => n.start < m.end && m.start < n.end)) return m;
      }
      return null;
    },
  };
}
