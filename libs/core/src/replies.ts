// The settings' automatic replies (opt-out and opt-in confirmations, the help text) and the
// possible opt-out policy: their rules, validated as part of the whole settings document.

import type * as records from '@optline/schemas/records';
import type { Frozen } from './record-types.ts';
import { characterCount } from './keywords.ts';
import { normalize } from './normalize.ts';

export type ReplyKind = records.ReplyKind;
export const REPLY_KINDS: readonly ReplyKind[] = Object.freeze(['optOut', 'optIn', 'help']);

/** Four concatenated GSM-7 segments (4 x 153): longer texts cost more than they say. */
export const MAX_REPLY_LENGTH = 612;
export const MAX_REPLIES = 100;

/**
 * An automatic reply text. `keywords` names the kind's keywords (configured spelling) it
 * answers, e.g. a French confirmation for `arret`; empty for the kind's default, used when no
 * variant names the matched keyword.
 */
export type SmsReply = Frozen<records.SmsReply>;

/** What a reply that reads as a request to stop, but starts with no keyword, does. */
export type PossibleOptOutPolicy = records.PossibleOptOutPolicy;
export const POSSIBLE_OPT_OUT_POLICIES: readonly PossibleOptOutPolicy[] = Object.freeze(['flag', 'blacklist', 'off']);
export const DEFAULT_POSSIBLE_OPT_OUTS: PossibleOptOutPolicy = 'flag';

/** A kind's keywords once validated: configured spellings and their normal forms, same order. */
export interface KindKeywords {
  readonly keywords: readonly string[];
  readonly normalized: readonly string[];
}

type Report = (field: string, rule: string, message: string) => void;

const REPLY_FIELDS = new Set(['kind', 'text', 'keywords']);
const LIST_OF: Record<ReplyKind, string> = { optOut: 'keywords', optIn: 'optInKeywords', help: 'helpKeywords' };

/**
 * Validates `replies` against the kinds' keyword lists (null: that list is broken and already
 * reported, so its replies' keywords are not checked against it). A reply's keywords are kept
 * in the configured spelling of the keyword they match by normal form.
 */
export function validateReplies(value: unknown, lists: Record<ReplyKind, KindKeywords | null>, err: Report): SmsReply[] | null {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    err('replies', 'type', 'replies must be an array');
    return null;
  }
  let ok = true;
  if (value.length > MAX_REPLIES) {
    err('replies', 'too_many_replies', `too many replies: ${value.length} given, at most ${MAX_REPLIES} allowed`);
    ok = false;
  }
  const replies: SmsReply[] = [];
  const defaults = new Map<ReplyKind, number>();
  // Per kind, normal form of a variant's keyword -> index of the reply that claimed it.
  const claimed = new Map<ReplyKind, Map<string, number>>(REPLY_KINDS.map((k) => [k, new Map()]));
  value.forEach((raw: unknown, i) => {
    const reply = validateReply(raw, `replies[${i}]`, lists, err);
    if (reply === null) {
      ok = false;
      return;
    }
    if (reply.keywords.length === 0) {
      const first = defaults.get(reply.kind);
      if (first !== undefined) {
        err(`replies[${i}]`, 'reply_default_duplicate', `replies[${first}] is already the default ${reply.kind} reply (the one without keywords); give this one keywords or remove it`);
        ok = false;
        return;
      }
      defaults.set(reply.kind, i);
    }
    const taken = claimed.get(reply.kind)!;
    let clash = false;
    reply.keywords.forEach((keyword, j) => {
      const n = normalize(keyword);
      const other = taken.get(n);
      if (other !== undefined) {
        err(`replies[${i}].keywords[${j}]`, 'reply_keyword_duplicate', `${reply.kind} keyword ${JSON.stringify(keyword)} already has a reply, replies[${other}]`);
        clash = true;
      } else taken.set(n, i);
    });
    if (clash) ok = false;
    else replies.push(reply);
  });
  return ok ? replies : null;
}

function validateReply(raw: unknown, at: string, lists: Record<ReplyKind, KindKeywords | null>, err: Report): SmsReply | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    err(at, 'type', `${at} must be an object {kind, text, keywords?}`);
    return null;
  }
  const doc = raw as Record<string, unknown>;
  let ok = true;
  for (const key of Object.keys(doc)) {
    if (REPLY_FIELDS.has(key)) continue;
    err(`${at}.${key}`, 'unknown_field', `unknown field ${JSON.stringify(key)} in a reply`);
    ok = false;
  }
  const kind = doc.kind;
  const kindValid = typeof kind === 'string' && (REPLY_KINDS as readonly string[]).includes(kind);
  if (!kindValid) {
    err(`${at}.kind`, kind === undefined ? 'required' : 'reply_kind', `${at}.kind must be one of ${REPLY_KINDS.join(', ')}`);
    ok = false;
  }
  const text = doc.text;
  if (typeof text !== 'string') {
    err(`${at}.text`, text === undefined ? 'required' : 'type', `${at}.text must be a string of 1-${MAX_REPLY_LENGTH} characters`);
    ok = false;
  } else if (text.trim() === '') {
    err(`${at}.text`, 'reply_text_empty', `${at}.text is empty; a reply needs 1-${MAX_REPLY_LENGTH} characters`);
    ok = false;
  } else if (characterCount(text) > MAX_REPLY_LENGTH) {
    err(`${at}.text`, 'reply_text_too_long', `${at}.text is ${characterCount(text)} characters long, at most ${MAX_REPLY_LENGTH} allowed`);
    ok = false;
  }
  const keywords = replyKeywords(doc.keywords, at, kindValid ? lists[kind as ReplyKind] : null, kind as ReplyKind, err);
  if (!ok || keywords === null) return null;
  return Object.freeze({ kind: kind as ReplyKind, text: text as string, keywords: Object.freeze(keywords) });
}

function replyKeywords(value: unknown, at: string, list: KindKeywords | null, kind: ReplyKind, err: Report): string[] | null {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    err(`${at}.keywords`, 'type', `${at}.keywords must be an array of ${kind} keywords`);
    return null;
  }
  const out: string[] = [];
  let ok = true;
  value.forEach((keyword: unknown, j) => {
    const field = `${at}.keywords[${j}]`;
    if (typeof keyword !== 'string') {
      err(field, 'keyword_not_a_string', `${field} must be a string`);
      ok = false;
      return;
    }
    // Kind unknown or its list broken: nothing sound to check against (already reported). The
    // keyword is kept as given, so that the reply still counts as a variant, not as a second default.
    if (list === null) {
      if (!out.includes(keyword)) out.push(keyword);
      return;
    }
    const index = list.normalized.indexOf(normalize(keyword));
    if (index < 0) {
      err(field, 'reply_keyword_unknown', `${JSON.stringify(keyword)} is not one of the ${kind} keywords (${LIST_OF[kind]})`);
      ok = false;
      return;
    }
    const configured = list.keywords[index]!;
    if (!out.includes(configured)) out.push(configured);
  });
  return ok ? out : null;
}

export function validatePossibleOptOuts(value: unknown, err: Report): PossibleOptOutPolicy | null {
  if (value === undefined) return DEFAULT_POSSIBLE_OPT_OUTS;
  if (typeof value === 'string' && (POSSIBLE_OPT_OUT_POLICIES as readonly string[]).includes(value)) return value as PossibleOptOutPolicy;
  err('possibleOptOuts', 'possible_opt_outs_policy', `possibleOptOuts must be one of ${POSSIBLE_OPT_OUT_POLICIES.join(', ')}`);
  return null;
}

/** Replies of one settings value, indexed for `pick`. */
export interface ReplyIndex {
  /** The text for `kind` when `keyword` (configured spelling or any with its normal form, or null) matched. */
  pick(kind: ReplyKind, keyword: string | null): SmsReply | null;
}

export function indexReplies(replies: readonly SmsReply[]): ReplyIndex {
  const defaults = new Map<ReplyKind, SmsReply>();
  const variants = new Map<string, SmsReply>();
  for (const reply of replies) {
    if (reply.keywords.length === 0) defaults.set(reply.kind, reply);
    for (const keyword of reply.keywords) variants.set(`${reply.kind}:${normalize(keyword)}`, reply);
  }
  return {
    pick(kind, keyword) {
      const variant = keyword === null || variants.size === 0 ? undefined : variants.get(`${kind}:${normalize(keyword)}`);
      return variant ?? defaults.get(kind) ?? null;
    },
  };
}
