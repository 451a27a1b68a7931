// Settings with their keyword lists compiled into one matcher and their replies indexed,
// built once per settings value.

import { buildTrie, longestPrefixMatch, type KeywordTrie } from './keywords.ts';
import { normalize } from './normalize.ts';
import { indexReplies, type ReplyKind, type SmsReply } from './replies.ts';
import type { SmsSettings } from './settings.ts';

export type KeywordKind = 'opt_out' | 'opt_in' | 'help';

/** The reply kind that answers each keyword kind. */
export const REPLY_KIND_OF: Readonly<Record<KeywordKind, ReplyKind>> = Object.freeze({ opt_out: 'optOut', opt_in: 'optIn', help: 'help' });

export interface KeywordHit {
  readonly kind: KeywordKind;
  /** The configured spelling of the keyword that won. */
  readonly keyword: string;
}

export interface CompiledSettings {
  readonly settings: SmsSettings;
  /** The winning active keyword for a body, or null. */
  match(body: string): KeywordHit | null;
  /**
   * The reply for `kind` when `keyword` matched (null: no keyword, e.g. a possible opt-out
   * treated as one): the variant naming that keyword, else the kind's default, else null.
   */
  replyFor(kind: ReplyKind, keyword: string | null): SmsReply | null;
}

/**
 * One trie over the three lists, so that the longest keyword wins across them as within one.
 * Opt-out keywords take part only while `optOutEnabled`: disabled keywords must not shadow
 * an opt-in or help keyword. Opt-in keywords always take part, so a blacklist left from when
 * opt-out was enabled can still be lifted; help keywords too, as help is owed either way.
 */
export function compileSettings(settings: SmsSettings): CompiledSettings {
  const hits: KeywordHit[] = [];
  if (settings.optOutEnabled) for (const keyword of settings.keywords) hits.push({ kind: 'opt_out', keyword });
  for (const keyword of settings.optInKeywords) hits.push({ kind: 'opt_in', keyword });
  for (const keyword of settings.helpKeywords) hits.push({ kind: 'help', keyword });
  const trie: KeywordTrie | null = hits.length === 0 ? null : buildTrie(hits.map((h) => normalize(h.keyword)));
  const replies = indexReplies(settings.replies);
  return {
    settings,
    match(body) {
      if (trie === null) return null;
      const index = longestPrefixMatch(trie, body);
      return index < 0 ? null : hits[index]!;
    },
    replyFor: (kind, keyword) => replies.pick(kind, keyword),
  };
}

const compiled = new WeakMap<SmsSettings, CompiledSettings>();

/** `compileSettings`, cached per settings object (settings are immutable values). */
export function compiledSettings(settings: SmsSettings): CompiledSettings {
  let c = compiled.get(settings);
  if (c === undefined) compiled.set(settings, (c = compileSettings(settings)));
  return c;
}
