// A project's SMS settings: the model, whole-document validation (every broken field reported
// in one answer, with a path), normalised output and versions.

import type * as records from '@optline/schemas/records';
import type { Defaulted, Frozen } from './record-types.ts';
import { checkKeywords, dedupeKeywords, type KeywordViolation } from './keywords.ts';
import { canonicalDedicatedNumber, PhoneNumberError } from './phone.ts';
import { validatePossibleOptOuts, validateReplies, type PossibleOptOutPolicy, type SmsReply } from './replies.ts';

/**
 * A project's settings, validated and normalised: keyword lists with duplicates by normal form
 * merged (first spelling kept), dedicated numbers canonical, version 1 for a project's first
 * settings and then previous + 1. `updatedAt` is set when stored.
 */
export type SmsSettings = Defaulted<Frozen<records.SmsSettings>, 'updatedAt'>;

export const MAX_CONSENT_CATEGORIES = 5;

/** A broken field: the path of the offending value (e.g. `keywords[3]`), the rule and a sentence. */
export type SettingsError = Frozen<records.SettingsFieldError>;

/** A dedicated number that already belongs to another project (HTTP 409 territory). */
export type NumberConflict = Frozen<records.NumberConflict>;

export type SettingsResult =
  | { ok: true; settings: SmsSettings }
  | { ok: false; errors: SettingsError[]; conflicts?: NumberConflict[] };

export interface SettingsContext {
  /** Which project owns a canonical dedicated number, if any. */
  ownerOfNumber?: (canonicalNumber: string) => string | undefined;
  /** The project's current settings; the result gets the next version. */
  previous?: SmsSettings;
  /** Stored as `updatedAt`. */
  now?: number;
}

const PROJECT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const KNOWN_FIELDS = new Set([
  'project', 'trackIncoming', 'optOutEnabled', 'keywords', 'optInKeywords', 'helpKeywords',
  'replies', 'possibleOptOuts', 'consentCategories', 'dedicatedNumbers', 'version', 'updatedAt',
]);

export function nextVersion(previous?: SmsSettings): number {
  return previous === undefined ? 1 : previous.version + 1;
}

/** Validates a settings document for `project` as a whole and returns it normalised. */
export function validateSettings(project: string, input: unknown, ctx: SettingsContext = {}): SettingsResult {
  const errors: SettingsError[] = [];
  const conflicts: NumberConflict[] = [];
  const err = (field: string, rule: string, message: string) => errors.push({ field, rule, message });

  if (!PROJECT.test(project)) {
    err('project', 'project_invalid', 'project must be 1-128 letters, digits, "_", "." or "-", starting with a letter or digit');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    err('', 'type', 'settings must be a JSON object');
    return { ok: false, errors };
  }
  const doc = input as Record<string, unknown>;
  for (const key of Object.keys(doc)) {
    if (!KNOWN_FIELDS.has(key)) err(key, 'unknown_field', `unknown field ${JSON.stringify(key)}`);
  }
  // `version` and `updatedAt` are assigned here; a document read back with GET may carry them.
  if (doc.project !== undefined && doc.project !== project) {
    err('project', 'project_mismatch', `project ${JSON.stringify(doc.project)} in the body differs from ${JSON.stringify(project)}`);
  }

  const trackIncoming = boolean(doc, 'trackIncoming', err);
  const optOutEnabled = boolean(doc, 'optOutEnabled', err);

  const keywords = keywordList(doc, 'keywords', err);
  if (optOutEnabled === true && keywords !== null && keywords.keywords.length === 0) {
    err('keywords', 'keywords_required', 'at least one opt-out keyword is needed when optOutEnabled is true');
  }
  const optIn = keywordList(doc, 'optInKeywords', err);
  notIn(optIn, 'optInKeywords', 'opt-in', [[keywords, 'opt-out']], err);
  const help = keywordList(doc, 'helpKeywords', err);
  notIn(help, 'helpKeywords', 'help', [[keywords, 'opt-out'], [optIn, 'opt-in']], err);
  const replies = validateReplies(doc.replies, { optOut: keywords, optIn, help }, err);
  const possibleOptOuts = validatePossibleOptOuts(doc.possibleOptOuts, err);

  const categories = categoryList(doc, optOutEnabled === true, err);
  const numbers = numberList(doc, project, ctx, err, conflicts);

  if (errors.length > 0 || trackIncoming === null || optOutEnabled === null || keywords === null ||
    optIn === null || help === null || replies === null || possibleOptOuts === null || categories === null || numbers === null) {
    return conflicts.length > 0 ? { ok: false, errors, conflicts } : { ok: false, errors };
  }
  const settings: SmsSettings = {
    project,
    trackIncoming,
    optOutEnabled,
    keywords: Object.freeze(keywords.keywords),
    optInKeywords: Object.freeze(optIn.keywords),
    helpKeywords: Object.freeze(help.keywords),
    replies: Object.freeze(replies),
    possibleOptOuts,
    consentCategories: Object.freeze(categories),
    dedicatedNumbers: Object.freeze(numbers),
    version: nextVersion(ctx.previous),
    ...(ctx.now === undefined ? {} : { updatedAt: ctx.now }),
  };
  // Frozen: compiled matchers are cached per settings object, so it must never change.
  return { ok: true, settings: Object.freeze(settings) };
}

type Report = (field: string, rule: string, message: string) => void;

function boolean(doc: Record<string, unknown>, field: string, err: Report): boolean | null {
  const value = doc[field];
  if (typeof value === 'boolean') return value;
  err(field, value === undefined ? 'required' : 'type', `${field} must be true or false`);
  return null;
}

function optionalArray(doc: Record<string, unknown>, field: string, err: Report): unknown[] | null {
  const value = doc[field];
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  err(field, 'type', `${field} must be an array`);
  return null;
}

interface Keywords {
  keywords: string[];
  normalized: string[];
  /** Index in the input of each kept keyword, for error paths. */
  positions: number[];
}

function keywordList(doc: Record<string, unknown>, field: string, err: Report): Keywords | null {
  const list = optionalArray(doc, field, err);
  if (list === null) return null;
  const violations = checkKeywords(list);
  for (const v of violations) err(violationField(field, v), v.rule, `${field}: ${v.message}`);
  if (violations.length > 0) return null;
  const strings = list as string[];
  const { keywords, normalized } = dedupeKeywords(strings);
  const positions: number[] = [];
  let next = 0;
  for (const k of keywords) positions.push((next = strings.indexOf(k, next)));
  return { keywords, normalized, positions };
}

/**
 * Reports each keyword of `list` that another list already has (same normal form): a body
 * that matches it could not say which of the two it means.
 */
function notIn(list: Keywords | null, field: string, kind: string, others: [Keywords | null, string][], err: Report): void {
  if (list === null) return;
  for (const [other, otherKind] of others) {
    if (other === null) continue;
    const taken = new Set(other.normalized);
    list.normalized.forEach((n, i) => {
      if (!taken.has(n)) return;
      err(`${field}[${list.positions[i]}]`, 'keyword_in_both_lists',
        `${kind} keyword ${JSON.stringify(list.keywords[i])} is also an ${otherKind} keyword (same after normalisation)`);
    });
  }
}

function violationField(field: string, v: KeywordViolation): string {
  return v.index === null ? field : `${field}[${v.index}]`;
}

function categoryList(doc: Record<string, unknown>, required: boolean, err: Report): string[] | null {
  const list = optionalArray(doc, 'consentCategories', err);
  if (list === null) return null;
  let ok = true;
  if (required && list.length === 0) {
    err('consentCategories', 'categories_required', 'at least one consent category is needed when optOutEnabled is true');
    ok = false;
  }
  if (list.length > MAX_CONSENT_CATEGORIES) {
    err('consentCategories', 'too_many_categories', `too many consent categories: ${list.length} given, at most ${MAX_CONSENT_CATEGORIES} allowed`);
    ok = false;
  }
  const categories: string[] = [];
  list.forEach((value, i) => {
    if (typeof value !== 'string' || value.trim() === '') {
      err(`consentCategories[${i}]`, 'category_empty', `consent category ${i + 1} must be a non-empty string`);
      ok = false;
    } else if (!categories.includes(value.trim())) {
      categories.push(value.trim());
    }
  });
  return ok ? categories : null;
}

function numberList(doc: Record<string, unknown>, project: string, ctx: SettingsContext, err: Report, conflicts: NumberConflict[]): string[] | null {
  const value = doc.dedicatedNumbers;
  if (!Array.isArray(value) || value.length === 0) {
    err('dedicatedNumbers', value === undefined || Array.isArray(value) ? 'numbers_required' : 'type',
      'dedicatedNumbers must be an array with at least one dedicated number');
    return null;
  }
  const numbers: string[] = [];
  let ok = true;
  value.forEach((raw: unknown, i) => {
    const field = `dedicatedNumbers[${i}]`;
    if (typeof raw !== 'string') {
      err(field, 'type', `dedicated number ${i + 1} must be a string`);
      ok = false;
      return;
    }
    let number: string;
    try {
      number = canonicalDedicatedNumber(raw);
    } catch (error) {
      if (!(error instanceof PhoneNumberError)) throw error;
      err(field, 'number_invalid', `${error.message} (${error.code}); a dedicated number is a phone number or a 3-8 digit short code`);
      ok = false;
      return;
    }
    const owner = ctx.ownerOfNumber?.(number);
    if (owner !== undefined && owner !== project) {
      conflicts.push({ field, number, project: owner });
      err(field, 'number_owned_by_other_project', `dedicated number ${number} already belongs to project ${JSON.stringify(owner)}`);
      ok = false;
      return;
    }
    if (!numbers.includes(number)) numbers.push(number);
  });
  return ok ? numbers : null;
}
