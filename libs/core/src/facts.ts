// The matcher's vocabulary: its input message, the per-(project, phone) state it folds, and
// the facts it decides. Field names are snake_case and times epoch milliseconds, because the
// Avro schemas of the topics mirror these types.

import type { ReplyIntent } from './reply-decision.ts';

/** One inbound SMS, already routed to its project. */
export interface InboundMessage {
  message_id: string;
  project: string;
  /** Canonical sender phone. */
  from: string;
  /** Canonical dedicated number (or short code). */
  to: string;
  body: string;
  received_at: number;
}

/** A profile known to have this phone number. */
export interface ProfileRef {
  customer_id: string;
  /** Last SMS the project sent to this profile on this phone. */
  last_sent_at: number | null;
  /** Last update of the profile itself. */
  updated_at: number | null;
}

export type BlacklistStatus = 'BLOCKED' | 'CONSENT_TRACKED';

/** What put a phone on the blacklist: a keyword reply, an operator, or an imported list. */
export type BlacklistSource = 'keyword' | 'manual' | 'import';

export interface BlacklistState {
  status: BlacklistStatus;
  /** Keyword and message of the latest opt-out ('' and the command id for a manual or imported block). */
  keyword: string;
  message_id: string;
  /** When the latest opt-out arrived (its received_at; for an import, when the phone opted out elsewhere). */
  blocked_at: number;
  updated_at: number;
  /** Absent in states stored before the opt-out list existed: `keyword`. */
  source?: BlacklistSource;
  /** Who blocked by hand or imported, and why (null for a keyword opt-out). */
  actor?: string | null;
  reason?: string | null;
}

/** Everything the decision needs about one phone within one project. */
export interface PhoneState {
  profiles: ProfileRef[];
  blacklist: BlacklistState | null;
  /** message_id -> received_at of messages already decided, so a redelivery has no effect. */
  processed: Record<string, number>;
}

export interface BlacklistedFact {
  type: 'blacklisted';
  project: string;
  phone: string;
  keyword: string;
  message_id: string;
  blocked_at: number;
  /** Default `keyword`; `manual` and `import` come from opt-out list commands, with actor and reason. */
  source?: BlacklistSource;
  actor?: string | null;
  reason?: string | null;
  /** When the change was decided, when it differs from blocked_at (an import's opted_out_at is older). */
  at?: number;
}

/** A reply that matched a keyword, with the profiles and categories its consent events are for. */
interface KeywordReplyFact {
  project: string;
  phone: string;
  message_id: string;
  keyword: string;
  received_at: number;
  body: string;
  sender: string;
  recipient: string;
  /** At most 10, most recently active first. */
  customer_ids: string[];
  categories: string[];
}

/** An opt-out: consent `reject` for each profile and category. */
export interface OptedOutFact extends KeywordReplyFact {
  type: 'opted_out';
}

export interface IncomingMessageFact {
  type: 'incoming_message';
  project: string;
  phone: string;
  message_id: string;
  received_at: number;
  body: string;
  sender: string;
  recipient: string;
  customer_id: string | null;
}

/** An opt-in keyword: consent `accept` for each profile and category. */
export interface OptedInFact extends KeywordReplyFact {
  type: 'opted_in';
}

export interface BlacklistClearedFact {
  type: 'blacklist_cleared';
  project: string;
  phone: string;
  reason: 'opt_in_keyword' | 'consent_accept' | 'manual';
  message_id: string | null;
  at: number;
  /** A manual clear: who cleared it and why. */
  actor?: string | null;
  note?: string | null;
}

/** The materializer tracked the consent events of opt-out `message_id`: the entry may become CONSENT_TRACKED. */
export interface ConsentTrackedFact {
  type: 'consent_tracked';
  project: string;
  phone: string;
  message_id: string;
  at: number;
}

/** A `customers.v1` record gave the profile this phone (added or updated in the phone's index). */
export interface ProfileUpdatedFact {
  type: 'profile_updated';
  project: string;
  phone: string;
  customer_id: string;
  updated_at: number;
}

/** The profile was deleted or now has another phone: it leaves this phone's index. */
export interface ProfileRemovedFact {
  type: 'profile_removed';
  project: string;
  phone: string;
  customer_id: string;
}

/** The project sent an SMS to the profile on this phone (which also proves the profile has it). */
export interface SmsSentFact {
  type: 'sms_sent';
  project: string;
  phone: string;
  customer_id: string;
  sent_at: number;
}

/** The message gets an automatic reply (decideReply): the matcher writes the intent for the replier. */
export interface ReplyDecidedFact {
  type: 'reply_decided';
  project: string;
  phone: string;
  intent: ReplyIntent;
}

/**
 * A reply no keyword matched reads as a request to stop (`possibleOptOuts: flag`): it waits in
 * the review queue, keyed by `id`, and blocks nothing.
 */
export interface PossibleOptOutFact {
  type: 'possible_opt_out';
  /** Derived from project and message id, so a redelivery is the same item. */
  id: string;
  project: string;
  phone: string;
  message_id: string;
  received_at: number;
  body: string;
  sender: string;
  recipient: string;
  /** The detector's explanation, its rule (`keyword_variant`, `keyword_typo`, `phrase`), the phrase's language and the words that matched. */
  reason: string;
  rule: string;
  language: string | null;
  evidence: string;
  /** The configured keyword a variant or typo is of. */
  keyword: string | null;
}

export type Fact =
  | BlacklistedFact | OptedOutFact | IncomingMessageFact | OptedInFact | BlacklistClearedFact
  | ConsentTrackedFact | ProfileUpdatedFact | ProfileRemovedFact | SmsSentFact | ReplyDecidedFact | PossibleOptOutFact;

/** The value of a `sms.blacklist.v1` record (key `<project>:<phone>`). */
export interface BlacklistEntry extends BlacklistState {
  project: string;
  phone: string;
}

export function emptyPhoneState(): PhoneState {
  return { profiles: [], blacklist: null, processed: {} };
}

/** The facts the matcher records on the facts topic for the materializer (the blacklist ones travel on the blacklist topic). */
export type RecordedFact = OptedOutFact | IncomingMessageFact | OptedInFact;

/** Avro MatcherFact is a union of records; avsc wraps a branch as `{ '<full name>': fields }`. */
export const FACT_BRANCHES = {
  opted_out: 'dev.optline.OptOutFact',
  incoming_message: 'dev.optline.IncomingMessageFact',
  opted_in: 'dev.optline.OptInFact',
} as const satisfies Record<RecordedFact['type'], string>;

/** True for the facts that travel on the facts topic. */
export function isRecordedFact(fact: Fact): fact is RecordedFact {
  return Object.hasOwn(FACT_BRANCHES, fact.type);
}

/** A MatcherFact value as avsc reads and writes it. */
export interface MatcherFactRecord {
  fact: Record<string, Record<string, unknown>>;
  /** When the matcher recorded it: assigns it to a window. */
  recorded_at: number;
}

/** The MatcherFact record of a fact, as the matcher publishes it. */
export function factRecord(fact: RecordedFact, recordedAt: number): MatcherFactRecord {
  const { type, ...fields } = fact;
  return { fact: { [FACT_BRANCHES[type]]: fields }, recorded_at: recordedAt };
}
