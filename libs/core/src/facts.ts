// The matcher's vocabulary: its input message, the per-(project, phone) state it folds, and
// the facts it decides. The types of what travels on a topic or sits in the store are the ones
// generated from schemas/avro (@optline/schemas/records), narrowed or tagged here, never
// written out again.

import type * as records from '@optline/schemas/records';
import type { Defaulted } from './record-types.ts';
import type { ReplyIntent } from './reply-decision.ts';

/** One inbound SMS, already routed to its project: the record's id as `message_id`. */
export type InboundMessage = Pick<records.InboundSms, 'from' | 'to' | 'body' | 'received_at'> & { message_id: string; project: string };

export type ProfileRef = records.ProfileRef;
export type BlacklistStatus = records.BlacklistStatus;
/** What put a phone on the blacklist: a keyword reply, an operator, or an imported list. */
export type BlacklistSource = records.BlacklistSource;

/** Source, actor and reason may be absent in states built before the opt-out list existed: `keyword`, null, null. */
export type BlacklistState = Defaulted<records.BlacklistState, 'source' | 'actor' | 'reason'>;

/** Everything the decision needs about one phone within one project. */
export interface PhoneState extends Omit<records.PhoneState, 'blacklist'> {
  blacklist: BlacklistState | null;
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

/** An opt-out: consent `reject` for each profile and category. */
export interface OptedOutFact extends records.OptOutFact {
  type: 'opted_out';
}

export interface IncomingMessageFact extends records.IncomingMessageFact {
  type: 'incoming_message';
}

/** An opt-in keyword: consent `accept` for each profile and category. */
export interface OptedInFact extends records.OptInFact {
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
export interface PossibleOptOutFact extends records.PossibleOptOut {
  type: 'possible_opt_out';
}

export type Fact =
  | BlacklistedFact | OptedOutFact | IncomingMessageFact | OptedInFact | BlacklistClearedFact
  | ConsentTrackedFact | ProfileUpdatedFact | ProfileRemovedFact | SmsSentFact | ReplyDecidedFact | PossibleOptOutFact;

/** The value of a `sms.blacklist.v1` record (key `<project>:<phone>`). */
export type BlacklistEntry = Defaulted<records.BlacklistEntry, 'source' | 'actor' | 'reason'>;

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
export type MatcherFactRecord = records.MatcherFact;

/** The MatcherFact record of a fact, as the matcher publishes it. */
export function factRecord(fact: RecordedFact, recordedAt: number): MatcherFactRecord {
  const { type, ...fields } = fact;
  // A computed key widens to an index signature; FACT_BRANCHES pairs each type with its branch.
  return { fact: { [FACT_BRANCHES[type]]: fields } as MatcherFactRecord['fact'], recorded_at: recordedAt };
}
