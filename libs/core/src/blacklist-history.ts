// The history of a blacklist entry: one change per fact that changed it, with what explains it.
// The matcher writes these (optline.blacklist-history.v1, keyed `<project>:<phone>`) in the
// transaction of the facts, so the history never says less or more than the blacklist did.

import type * as records from '@optline/schemas/records';
import type { BlacklistSource, Fact, PhoneState } from './facts.ts';

export type BlacklistChangeKind = records.BlacklistChangeKind;

/** One change of an entry; fields that do not apply are null. */
export type BlacklistChange = records.BlacklistChange;

const BLOCK_KIND: Record<BlacklistSource, BlacklistChangeKind> = { keyword: 'opted_out', manual: 'blocked_manually', import: 'imported' };
const CLEAR_KIND = { opt_in_keyword: 'opted_in', consent_accept: 'consent_accepted', manual: 'cleared_manually' } as const;

/**
 * The changes a list of facts made to a phone's entry, in order; `after` is the state once they
 * are folded in. The body of a keyword opt-out or opt-in comes from its reply fact.
 */
export function blacklistChanges(facts: readonly Fact[], after: PhoneState, settingsVersion: number | null): BlacklistChange[] {
  const changes: BlacklistChange[] = [];
  const bodyOf = (messageId: string | null): string | null => {
    for (const f of facts) if ((f.type === 'opted_out' || f.type === 'opted_in') && f.message_id === messageId) return f.body;
    return null;
  };
  const status = after.blacklist?.status ?? null;
  for (const fact of facts) {
    // Most facts (every reply's incoming_message) change no entry: nothing is built for them.
    if (fact.type !== 'blacklisted' && fact.type !== 'blacklist_cleared' && fact.type !== 'consent_tracked') continue;
    const base = { project: fact.project, phone: fact.phone, status, settings_version: null, blocked_at: null, actor: null, reason: null, body: null, keyword: null, source: null };
    if (fact.type === 'blacklisted') {
      const source = fact.source ?? 'keyword';
      changes.push({
        ...base, at: fact.at ?? fact.blocked_at, kind: BLOCK_KIND[source], source, message_id: fact.message_id,
        body: source === 'keyword' ? bodyOf(fact.message_id) : null, keyword: source === 'keyword' ? fact.keyword : null,
        settings_version: source === 'keyword' ? settingsVersion : null, blocked_at: fact.blocked_at,
        actor: fact.actor ?? null, reason: fact.reason ?? null,
      });
    } else if (fact.type === 'blacklist_cleared') {
      const optIn = facts.find((f) => f.type === 'opted_in' && f.message_id === fact.message_id);
      changes.push({
        ...base, at: fact.at, kind: CLEAR_KIND[fact.reason], message_id: fact.message_id,
        body: bodyOf(fact.message_id), keyword: optIn?.type === 'opted_in' ? optIn.keyword : null,
        settings_version: fact.reason === 'opt_in_keyword' ? settingsVersion : null,
        actor: fact.actor ?? null, reason: fact.note ?? null,
      });
    } else if (fact.type === 'consent_tracked') {
      changes.push({ ...base, at: fact.at, kind: 'consent_tracked', message_id: fact.message_id, source: after.blacklist?.source ?? null, blocked_at: after.blacklist?.blocked_at ?? null });
    }
  }
  return changes;
}
