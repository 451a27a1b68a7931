// Possible opt-outs (SPEC.md Flows 7): a reply that starts with no keyword but reads as a
// request to stop. Pure, deterministic, compiled once per keyword list; called for bodies the
// keyword matcher did not match (a body it matches is an opt-out, never a possible one).
//
// Three kinds of evidence, checked in this order:
//  - keyword_variant: the first word(s) spell a configured keyword exactly, but something the
//    keyword rule does not skip stands before or inside it ("*STOP*", "opt-out", "¡stop");
//  - keyword_typo: the first word is one slip from an opt-out keyword of 4+ letters ("stpo",
//    "unsubscibe", "st0p"), and not a real word ("quiet");
//  - phrase: a phrase rule of some language matches and no "not" rule overlaps it.

import { buildTrie, longestPrefixMatch } from '../keywords.ts';
import { normalize } from '../normalize.ts';
import { LANGUAGES } from './languages/index.ts';
import { compilePhrases, type LanguageRules } from './phrases.ts';
import { slipOf } from './typos.ts';
import { words } from './words.ts';

export type PossibleRule = 'keyword_variant' | 'keyword_typo' | 'phrase';

export interface PossibleOptOut {
  readonly possible: boolean;
  /** Why, in a sentence an operator can read; null when not possible. */
  readonly reason: string | null;
  readonly rule: PossibleRule | null;
  /** The language of the phrase rule that matched. */
  readonly language?: string;
  /** The words of the body that matched, normalised; null when not possible. */
  readonly evidence: string | null;
  /** The configured keyword a variant or typo is of. */
  readonly keyword?: string;
}

export const NOT_POSSIBLE: PossibleOptOut = Object.freeze({ possible: false, reason: null, rule: null, evidence: null });

export interface PossibleOptOutDetector {
  detect(body: string): PossibleOptOut;
}

/** Keywords shorter than this are not checked for typos: too many words are one slip from "end". */
export const MIN_TYPO_KEYWORD_LENGTH = 4;

interface Keyword {
  readonly configured: string;
  readonly normal: string;
}

/**
 * A detector for a project's opt-out keywords and the phrase rules of `languages`
 * (default: every language optline has rules for).
 */
export function compilePossibleOptOuts(keywords: readonly string[], languages: readonly LanguageRules[] = LANGUAGES): PossibleOptOutDetector {
  const byNormal = new Map<string, Keyword>();
  for (const configured of keywords) {
    const normal = normalize(configured);
    if (normal !== '' && !byNormal.has(normal)) byNormal.set(normal, { configured, normal });
  }
  // Typo targets by the length of a word they could be one slip from (one less, as long, one
  // more) and by its first letter: a slip keeps the keyword's first letter, or swaps it with the
  // second. Most words are compared with no keyword at all.
  const targets: Map<number, Keyword[]>[] = [];
  const addTarget = (n: number, c: number, k: Keyword) => {
    const byFirst = (targets[n] ??= new Map());
    const list = byFirst.get(c);
    if (list === undefined) byFirst.set(c, [k]);
    else if (!list.includes(k)) list.push(k);
  };
  for (const k of byNormal.values()) {
    if (k.normal.length < MIN_TYPO_KEYWORD_LENGTH) continue;
    for (let n = k.normal.length - 1; n <= k.normal.length + 1; n++) {
      addTarget(n, k.normal.charCodeAt(0), k);
      addTarget(n, k.normal.charCodeAt(1), k);
    }
  }
  const targetsOf = (word: string) => targets[word.length]?.get(word.charCodeAt(0));
  const notTypos = new Set(languages.flatMap((l) => l.notTypos.flatMap((w) => words(w))));
  const phrases = compilePhrases(languages);
  // A body the keyword rule matches is an opt-out, not a possible one.
  const trie = byNormal.size === 0 ? null : buildTrie([...byNormal.keys()]);

  const variant = (text: string, shown: string): PossibleOptOut | null => {
    const k = byNormal.get(text);
    if (k === undefined) return null;
    return {
      possible: true, rule: 'keyword_variant', keyword: k.configured, evidence: shown,
      reason: `"${shown}" spells the opt-out keyword ${JSON.stringify(k.configured)}, with punctuation the keyword rule does not skip`,
    };
  };

  const typo = (word: string): PossibleOptOut | null => {
    const candidates = targetsOf(word);
    if (candidates === undefined || notTypos.has(word)) return null;
    for (const k of candidates) {
      const slip = slipOf(word, k.normal);
      if (slip === null) continue;
      return {
        possible: true, rule: 'keyword_typo', keyword: k.configured, evidence: word,
        reason: `"${word}" is one slip (${slip}) from the opt-out keyword ${JSON.stringify(k.configured)}`,
      };
    }
    return null;
  };

  return {
    detect(body) {
      if (trie !== null && longestPrefixMatch(trie, body) >= 0) return NOT_POSSIBLE;
      const tokens = words(body);
      if (tokens.length === 0) return NOT_POSSIBLE;
      const first = tokens[0]!;
      const second = tokens[1];
      // The first two words together, when a keyword could be that long ("opt-out").
      const pairLength = second === undefined ? 0 : first.length + second.length;
      const pair = pairLength > 0 && targets[pairLength]?.has(first.charCodeAt(0)) === true ? first + second : null;
      const hit =
        variant(first, first) ??
        (pair === null ? null : variant(pair, `${first} ${second}`)) ??
        typo(first) ??
        (pair === null ? null : typo(pair));
      if (hit !== null) return hit;
      const m = phrases.find(tokens);
      if (m === null) return NOT_POSSIBLE;
      const evidence = tokens.slice(m.start, m.end).join(' ');
      return {
        possible: true, rule: 'phrase', language: m.pattern.language, evidence,
        reason: `"${evidence}" matches the ${m.pattern.language} phrase rule "${m.pattern.source}"`,
      };
    },
  };
}
