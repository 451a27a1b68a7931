// Opt-out (and opt-in) keywords: the configuration rules and a compiled matcher.
//
// A body matches keyword k when normalize(body) starts with normalize(k); the longest
// normalised keyword wins. The compiled matcher walks a trie of the normalised keywords while
// normalising the body one code point at a time, so it stops at the first character no keyword
// can continue with: "Please stop" costs one character, a 1600-character SMS no more than the
// longest keyword.

import { ASCII_PIECES, normalize, pieceAt } from './normalize.ts';

export const MAX_KEYWORDS = 100;
export const MAX_KEYWORD_LENGTH = 20;

export type KeywordRule = 'too_many_keywords' | 'keyword_not_a_string' | 'keyword_empty' | 'keyword_too_long';

export interface KeywordViolation {
  /** Position in the configured list, or null for a rule about the whole list. */
  readonly index: number | null;
  readonly rule: KeywordRule;
  readonly message: string;
}

/** Thrown by `compileKeywords` for a keyword list that breaks the rules; names every violation. */
export class KeywordRuleError extends Error {
  readonly violations: readonly KeywordViolation[];
  /** The first violated rule, for callers that only need one. */
  readonly rule: KeywordRule;

  constructor(violations: readonly KeywordViolation[]) {
    super(violations.map((v) => v.message).join('; '));
    this.name = 'KeywordRuleError';
    this.violations = violations;
    this.rule = violations[0]!.rule;
  }
}

/**
 * The length the 20-character limit applies to: Unicode code points of the keyword as
 * configured, in NFC, so that "arrêt" counts 5 whether the ê was typed precomposed or as e + U+0302.
 * It is measured before keyword normalisation: the limit is about what the user typed.
 */
export function keywordLength(keyword: string): number {
  return characterCount(keyword);
}

/** Unicode code points in NFC: characters as a person counts them, however they were typed. */
export function characterCount(text: string): number {
  let n = 0;
  for (const _ of text.normalize('NFC')) n++;
  return n;
}

/** Every rule a keyword list breaks: at most 100 keywords, each a string of 1-20 characters. */
export function checkKeywords(keywords: readonly unknown[]): KeywordViolation[] {
  const violations: KeywordViolation[] = [];
  if (keywords.length > MAX_KEYWORDS) {
    violations.push({ index: null, rule: 'too_many_keywords', message: `too many keywords: ${keywords.length} given, at most ${MAX_KEYWORDS} allowed` });
  }
  keywords.forEach((keyword, index) => {
    if (typeof keyword !== 'string') {
      violations.push({ index, rule: 'keyword_not_a_string', message: `keyword ${index + 1} is not a string` });
      return;
    }
    // A keyword that normalises to nothing (" ", a lone accent) would match every message.
    if (normalize(keyword) === '') {
      const shown = keyword === '' ? 'is empty' : `${JSON.stringify(keyword)} has no characters left after normalisation`;
      violations.push({ index, rule: 'keyword_empty', message: `keyword ${index + 1} ${shown}; a keyword needs 1-${MAX_KEYWORD_LENGTH} characters` });
      return;
    }
    const length = keywordLength(keyword);
    if (length > MAX_KEYWORD_LENGTH) {
      violations.push({ index, rule: 'keyword_too_long', message: `keyword ${index + 1} ${JSON.stringify(keyword)} is ${length} characters long, at most ${MAX_KEYWORD_LENGTH} allowed` });
    }
  });
  return violations;
}

/** Keywords with duplicates by normal form merged, keeping the first spelling. */
export function dedupeKeywords(keywords: readonly string[]): { keywords: string[]; normalized: string[] } {
  const seen = new Set<string>();
  const out = { keywords: [] as string[], normalized: [] as string[] };
  for (const keyword of keywords) {
    const n = normalize(keyword);
    if (seen.has(n)) continue;
    seen.add(n);
    out.keywords.push(keyword);
    out.normalized.push(n);
  }
  return out;
}

export interface TrieNode {
  ascii: (TrieNode | undefined)[];
  other: Map<number, TrieNode> | null;
  /** Index of the keyword ending here, or -1. */
  value: number;
  /** No keyword continues past this node, so the walk can stop. */
  leaf: boolean;
}

const NO_CHILDREN: (TrieNode | undefined)[] = [];

function node(): TrieNode {
  return { ascii: NO_CHILDREN, other: null, value: -1, leaf: true };
}

function child(parent: TrieNode, c: number): TrieNode {
  parent.leaf = false;
  if (c < 128) {
    if (parent.ascii === NO_CHILDREN) parent.ascii = new Array<TrieNode | undefined>(128).fill(undefined);
    return (parent.ascii[c] ??= node());
  }
  parent.other ??= new Map();
  let next = parent.other.get(c);
  if (next === undefined) parent.other.set(c, (next = node()));
  return next;
}

/** A trie over normalised keywords; `longestPrefixMatch` finds the winning one in a body. */
export interface KeywordTrie {
  readonly root: TrieNode;
}

/** Builds a trie from keywords already in normal form; the first of equal keywords keeps its index. */
export function buildTrie(normalized: readonly string[]): KeywordTrie {
  const root = node();
  normalized.forEach((keyword, index) => {
    if (keyword === '') throw new Error('buildTrie: empty normalised keyword');
    let n = root;
    for (let i = 0; i < keyword.length; i++) n = child(n, keyword.charCodeAt(i));
    if (n.value === -1) n.value = index;
  });
  return { root };
}

// ASCII code unit -> normalised code unit, or -1 for white space (see ASCII_PIECES).
const ASCII_NORMAL = Int16Array.from(ASCII_PIECES, (p) => (p === '' ? -1 : p.charCodeAt(0)));

/** Index of the longest normalised keyword that normalize(body) starts with, or -1. */
export function longestPrefixMatch(trie: KeywordTrie, body: string): number {
  let n = trie.root;
  let best = -1;
  const length = body.length;
  let i = 0;
  while (i < length) {
    const c = body.charCodeAt(i);
    if (c < 128) {
      i++;
      const lc = ASCII_NORMAL[c]!;
      if (lc < 0) continue;
      const next = n.ascii[lc];
      if (next === undefined) return best;
      n = next;
      if (n.value >= 0) best = n.value;
      if (n.leaf) return best;
      continue;
    }
    // Rare path: one non-ASCII code point may normalise to zero, one or several units.
    const piece = pieceAt(body, i);
    i += c >= 0xd800 && c <= 0xdbff && body.codePointAt(i)! > 0xffff ? 2 : 1;
    for (let j = 0; j < piece.length; j++) {
      const pc = piece.charCodeAt(j);
      const next = pc < 128 ? n.ascii[pc] : n.other?.get(pc);
      if (next === undefined) return best;
      n = next;
      if (n.value >= 0) best = n.value;
      if (n.leaf) return best;
    }
  }
  return best;
}

export interface KeywordMatcher {
  /** The configured keywords, duplicates by normal form merged (first spelling kept). */
  readonly keywords: readonly string[];
  /** The configured keyword that wins for this body, or null. */
  match(body: string): string | null;
}

/** Compiles a keyword list once; throws KeywordRuleError when it breaks the keyword rules. */
export function compileKeywords(keywords: readonly string[]): KeywordMatcher {
  const violations = checkKeywords(keywords);
  if (violations.length > 0) throw new KeywordRuleError(violations);
  const deduped = dedupeKeywords(keywords);
  const trie = buildTrie(deduped.normalized);
  const configured = deduped.keywords;
  return {
    keywords: configured,
    match(body) {
      const index = longestPrefixMatch(trie, body);
      return index < 0 ? null : configured[index]!;
    },
  };
}

const naiveCache = new WeakMap<readonly string[], string[]>();

/**
 * The definition, executed literally: normalise the whole body and try every keyword.
 * Test oracle and benchmark baseline; keyword normal forms are cached per list so the
 * baseline pays only for the body, as a reasonable simple implementation would.
 */
export function naiveMatch(keywords: readonly string[], body: string): string | null {
  let normalized = naiveCache.get(keywords);
  if (normalized === undefined) naiveCache.set(keywords, (normalized = keywords.map(normalize)));
  const text = normalize(body);
  let best: string | null = null;
  let bestLength = 0;
  for (let i = 0; i < normalized.length; i++) {
    const k = normalized[i]!;
    if (k.length > bestLength && text.startsWith(k)) {
      best = keywords[i]!;
      bestLength = k.length;
    }
  }
  return best;
}
