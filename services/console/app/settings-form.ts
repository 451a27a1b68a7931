// The settings document as the form edits it, and what is wrong with it: the core's own
// validateSettings, run on every change, so the page shows the API's rules before it is asked.
import {
  keywordLength, MAX_CONSENT_CATEGORIES, MAX_KEYWORD_LENGTH, MAX_KEYWORDS, normalize, validateSettings,
  type PossibleOptOutPolicy, type SmsReply, type SmsSettings,
} from '@optline/core';
import type { FieldError } from './api.ts';
import type { ChipIssue } from './components/ChipInput.tsx';

export interface SettingsDoc {
  trackIncoming: boolean;
  optOutEnabled: boolean;
  keywords: string[];
  optInKeywords: string[];
  helpKeywords: string[];
  replies: SmsReply[];
  possibleOptOuts: PossibleOptOutPolicy;
  consentCategories: string[];
  dedicatedNumbers: string[];
}

export type Stored = SettingsDoc & { project: string; version: number; updatedAt?: number };

export const LISTS = ['keywords', 'optInKeywords', 'helpKeywords', 'consentCategories', 'dedicatedNumbers'] as const;
export type ListField = (typeof LISTS)[number];

export function docOf(s: Partial<SettingsDoc>): SettingsDoc {
  return {
    trackIncoming: s.trackIncoming ?? true,
    optOutEnabled: s.optOutEnabled ?? true,
    keywords: [...(s.keywords ?? [])],
    optInKeywords: [...(s.optInKeywords ?? [])],
    helpKeywords: [...(s.helpKeywords ?? [])],
    replies: (s.replies ?? []).map((r) => ({ ...r, keywords: [...r.keywords] })),
    possibleOptOuts: s.possibleOptOuts ?? 'flag',
    consentCategories: [...(s.consentCategories ?? [])],
    dedicatedNumbers: [...(s.dedicatedNumbers ?? [])],
  };
}

/** `keywords[3]` -> keywords, 3; `replies[1].text` -> replies, 1; `consentCategories` -> consentCategories, null. */
export function fieldOf(path: string): { field: string; index: number | null; rest: string } {
  const m = /^([A-Za-z]+)(?:\[(\d+)\])?(.*)$/.exec(path);
  if (!m) return { field: path, index: null, rest: '' };
  return { field: m[1]!, index: m[2] === undefined ? null : Number(m[2]), rest: m[3] ?? '' };
}

/** Field-level errors (live or from the API) grouped by the control that shows them. */
export function issuesByField(errors: readonly FieldError[]): Map<string, ChipIssue[]> {
  const out = new Map<string, ChipIssue[]>();
  for (const e of errors) {
    const { field, index } = fieldOf(e.field || 'document');
    const list = out.get(field) ?? [];
    // The core prefixes keyword messages with the list's name; the control already says it.
    list.push({ index, message: e.message.replace(new RegExp(`^${field}: `), '') });
    out.set(field, list);
  }
  return out;
}

/** What the core says of this document now, with `owners` standing for the other projects' numbers. */
export function liveErrors(project: string, doc: SettingsDoc, owners: ReadonlyMap<string, string>): FieldError[] {
  const result = validateSettings(project || 'new-project', doc, { ownerOfNumber: (n) => owners.get(n) });
  return result.ok ? [] : result.errors.filter((e) => project !== '' || e.field !== 'project').map((e) => ({ ...e }));
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The limits of a keyword list, as you type: how many of 100, and the typed one's length of 20. */
export function keywordCounter(values: readonly string[], typing: string): string {
  const merged = new Set(values.map(normalize)).size;
  const typed = typing === '' ? '' : ` · typing: ${keywordLength(typing)} / ${MAX_KEYWORD_LENGTH} characters`;
  const dupes = values.length - merged;
  return `${merged} / ${MAX_KEYWORDS} keywords${dupes ? ` (${plural(dupes, 'duplicate')} merged)` : ''}${typed}`;
}

export function categoryCounter(values: readonly string[]): string {
  return `${values.length} of 1-${MAX_CONSENT_CATEGORIES} categories`;
}

export function numberCounter(values: readonly string[]): string {
  return `${plural(values.length, 'number')} (at least 1)`;
}

/** "same as STOP after normalisation": a duplicate that saving merges into the first spelling. */
export function duplicateNote(value: string, index: number, values: readonly string[]): string | null {
  const n = normalize(value);
  const first = values.findIndex((v) => normalize(v) === n);
  return first >= 0 && first < index ? `merged with “${values[first]}”` : null;
}

/** The settings the page would store, for the core's matcher: the valid keywords of each list. */
export function previewSettings(project: string, doc: SettingsDoc): SmsSettings {
  const valid = (list: readonly string[]) => list.filter((k) => normalize(k) !== '' && keywordLength(k) <= MAX_KEYWORD_LENGTH);
  return {
    project, version: 0, trackIncoming: doc.trackIncoming, optOutEnabled: doc.optOutEnabled,
    keywords: valid(doc.keywords), optInKeywords: valid(doc.optInKeywords), helpKeywords: valid(doc.helpKeywords),
    replies: [], possibleOptOuts: doc.possibleOptOuts, consentCategories: doc.consentCategories, dedicatedNumbers: doc.dedicatedNumbers,
  };
}
