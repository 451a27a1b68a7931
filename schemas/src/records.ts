// Generated from schemas/avro by `npm run schemas:types` (schemas/src/typescript.ts): do not edit.
/* eslint-disable */

export type BlacklistChangeKind = 'opted_out' | 'blocked_manually' | 'imported' | 'consent_tracked' | 'opted_in' | 'consent_accepted' | 'cleared_manually' | 'reply_sent';

export type BlacklistStatus = 'BLOCKED' | 'CONSENT_TRACKED';

export type BlacklistSource = 'keyword' | 'manual' | 'import';

/** One change of a blacklist entry with what explains it. Topic optline.blacklist-history.v1 (not compacted; retention 5 years), keyed '<project>:<canonical phone>', written by the matcher in the transaction of the change itself. */
export interface BlacklistChange {
  /** The project. */
  project: string;
  /** The phone, canonical 00 form. */
  phone: string;
  /** When the change happened (the reply's received_at, the command's requested_at, the consent events' tracking time). */
  at: number;
  /** opted_out: a keyword reply blocked it; blocked_manually / imported: an opt-out list command; consent_tracked: its consent rejects were tracked; opted_in / consent_accepted / cleared_manually: it was cleared by an opt-in keyword, a consent accept or an operator; reply_sent: a confirmation went out. */
  kind: BlacklistChangeKind;
  /** The entry's status after the change; null when the phone is no longer on the list. */
  status: BlacklistStatus | null;
  /** The entry's source, for changes that put it on the list or track its consent. */
  source: BlacklistSource | null;
  /** The reply (or command id) that caused the change. */
  message_id: string | null;
  /** The reply's text (for reply_sent, the confirmation's text). */
  body: string | null;
  /** The keyword that matched. */
  keyword: string | null;
  /** The version of the project's SMS settings the reply was matched with. */
  settings_version: number | null;
  /** When the phone was blacklisted (for an import, when it opted out elsewhere). */
  blocked_at: number | null;
  /** Who changed it by hand or imported it. */
  actor: string | null;
  /** Why, as the operator gave it. */
  reason: string | null;
}

export type BlacklistAction = 'BLOCK' | 'CLEAR';

export type BlacklistCommandSource = 'manual' | 'import';

/** An opt-out list change asked for through the API: a manual block or clear, or one line of an imported list. Topic optline.blacklist-commands.v1, keyed by the canonical phone (co-partitioned with sms.inbound.v1), so the matcher, the only writer of sms.blacklist.v1, applies it in order with that phone's replies. */
export interface BlacklistCommand {
  /** Unique per change; an imported line's is derived from project, phone and opted_out_at, so a re-sent line is the same command. */
  command_id: string;
  /** The project. */
  project: string;
  /** The phone, canonical 00 form; also the record key. */
  phone: string;
  /** BLOCK puts the phone on the list unless it is on it; CLEAR takes it off. */
  action: BlacklistAction;
  /** manual: an operator through the API; import: a line of an imported list. */
  source: BlacklistCommandSource;
  /** Who asked (the API caller). */
  actor: string;
  /** Why, as the operator gave it (required for manual changes; the import's reason for its lines). */
  reason: string;
  /** An imported line's opted_out_at: when the phone opted out elsewhere; null otherwise. */
  opted_out_at: number | null;
  /** When the API accepted the command. */
  requested_at: number;
}

/** A blacklisted (project, phone). Topic sms.blacklist.v1 (compacted), keyed '<project>:<canonical phone>'; a null value clears the entry. Written only by the matcher, from keyword opt-outs and from the opt-out list commands (manual blocks, imports). */
export interface BlacklistEntry {
  /** The project. */
  project: string;
  /** The blacklisted phone, canonical 00 form. */
  phone: string;
  /** BLOCKED at once on the opt-out; CONSENT_TRACKED once the consent events were tracked. */
  status: BlacklistStatus;
  /** The configured opt-out keyword that matched; empty for a manual or imported entry. */
  keyword: string;
  /** The id of the reply that opted out; empty for a manual or imported entry. */
  message_id: string;
  /** When the phone was blacklisted. */
  blocked_at: number;
  /** When this entry last changed. */
  updated_at: number;
  /** keyword: an opt-out reply (also every entry written before this field existed); manual: an operator's block through the API; import: a line of an imported list. */
  source: BlacklistSource;
  /** Who blocked the phone by hand or imported it (the API caller); null for a keyword opt-out. */
  actor: string | null;
  /** Why the phone was blocked by hand or imported, as the operator gave it; null for a keyword opt-out. */
  reason: string | null;
}

export type CampaignStatus = 'incoming_message' | 'enqueue_failed' | 'auto_reply_sent' | 'auto_reply_failed';

/** An SMS campaign event. Topic tracking.campaign.v1, keyed by customer_id (else phone). */
export interface CampaignEvent {
  /** Deterministic id derived from the message id (or the send attempt) and the customer. */
  event_id: string;
  /** The project. */
  project: string;
  /** The profile the event is tracked to; null when no profile has the phone. */
  customer_id: string | null;
  /** incoming_message for a reply, enqueue_failed for a send refused by the blacklist, auto_reply_sent / auto_reply_failed for an automatic reply (sender = the dedicated number, recipient = the phone, message = the text or, when failed, the reason). */
  status: CampaignStatus;
  /** Always sms. */
  action_type: string;
  /** message.received_at for incoming_message; the attempt time for enqueue_failed. */
  timestamp: number;
  /** The reply's body; for enqueue_failed exactly 'Phone number is blacklisted by an opt-out keyword.' */
  message: string;
  /** message.from: the customer's phone that sent the reply; for enqueue_failed the sender that tried, when known. */
  sender: string | null;
  /** message.to: the dedicated number the reply went to; for enqueue_failed the refused phone. */
  recipient: string | null;
}

export type ConsentAction = 'reject' | 'accept';

/** A consent event. Topic tracking.consent.v1, keyed by customer_id (else phone). optline writes reject (and accept on an opt-in keyword); accept events written by others clear the blacklist. */
export interface ConsentEvent {
  /** Deterministic id derived from message id, customer and category, for de-duplication by consumers. */
  event_id: string;
  /** The project. */
  project: string;
  /** The profile the consent belongs to; null only on accept events from elsewhere that name just a phone. */
  customer_id: string | null;
  /** Event time: message.received_at of the SMS reply. */
  timestamp: number;
  /** When the consent event was tracked. */
  imported_timestamp: number;
  /** reject (opt-out) or accept. */
  action: ConsentAction;
  /** Where the consent came from: sms_reply for keyword replies. */
  source: string;
  /** The consent category from the project's SMS settings. */
  category: string;
  /** The sender's phone (message.from), canonical 00 form. */
  identification: string;
  /** How identification identifies the customer: phone. */
  identification_type: string;
  /** The text of the reply that changed the consent (message.body). */
  message: string | null;
}

/** The materializer tracked the consent events of an opt-out. Topic optline.consent-tracked.v1, keyed by the canonical phone (co-partitioned with sms.inbound.v1); the matcher, the only writer of sms.blacklist.v1, moves the entry to CONSENT_TRACKED if it is still BLOCKED by that opt-out. */
export interface ConsentTracked {
  /** The project. */
  project: string;
  /** The opted-out phone, canonical 00 form; also the record key. */
  phone: string;
  /** The id of the opt-out reply whose consent events were tracked. */
  message_id: string;
  /** When the consent events were tracked (their imported_timestamp). */
  tracked_at: number;
}

/** The phone a profile was last routed to by the matcher's repartitioning of customers.v1: value of its RocksDB store and of the compacted changelog optline.matcher.customer-phone-changelog.v1, keyed '<project>:<customer_id>'. */
export interface CustomerPhone {
  /** The profile's current canonical phone. */
  phone: string;
  /** updated_at of the customers.v1 record that set it; older records are not routed. */
  updated_at: number;
}

/** A customer profile of a project. Topic customers.v1, keyed by customer_id. */
export interface CustomerProfile {
  /** The project (tenant) the profile belongs to. */
  project: string;
  /** The profile's id within the project. */
  customer_id: string;
  /** The profile's phone, canonical 00 form; null when the profile has none. */
  phone: string | null;
  /** When the profile last changed; orders updates and ranks profiles sharing a phone. */
  updated_at: number;
  /** True when the profile was deleted: it leaves the phone index. */
  deleted: boolean;
}

export type InboundSmsType = 'mo_text' | 'mo_binary';

/** A mobile-originated SMS (a customer's reply) as received from the SMS gateway. Topic sms.inbound.v1, keyed by the canonical sender phone. */
export interface InboundSms {
  /** The gateway's message id (Sinch inbound id); retries of one callback carry the same id, so it identifies the message for de-duplication. */
  id: string;
  /** Sinch inbound type: mo_text, or mo_binary whose body is Base64. */
  type: InboundSmsType;
  /** The sender (the customer's phone), canonical 00 + country code + national number. */
  from: string;
  /** The recipient: the project's dedicated number, canonical phone or a short code. */
  to: string;
  /** The message text (Base64 payload for mo_binary). */
  body: string;
  /** When the gateway received the message (Sinch received_at). */
  received_at: number;
  /** When the handset sent the message, when the gateway knows it. */
  sent_at: number | null;
  /** The mobile operator (MCCMNC) the message came through, when known. */
  operator_id: string | null;
  /** The gateway's client reference of the conversation, when set. */
  client_reference: string | null;
  /** User data header (hex) of a mo_binary message, when present. */
  udh: string | null;
  /** When optline accepted the message (ingress) or the producer wrote it. */
  ingested_at: number;
  /** Who published the record: 'sinch' for the ingress callback, otherwise the producer's own name. */
  source: string;
}

/** A reply matched an opt-out keyword: the phone is blacklisted and these profiles are to get consent reject events. */
export interface OptOutFact {
  /** The project the reply was routed to by its dedicated number. */
  project: string;
  /** The customer's phone (message.from), canonical 00 form. */
  phone: string;
  /** The reply's id (InboundSms.id). */
  message_id: string;
  /** message.received_at of the reply; the event time of the facts' events. */
  received_at: number;
  /** The reply's text. */
  body: string;
  /** message.from. */
  sender: string;
  /** message.to: the dedicated number. */
  recipient: string;
  /** The configured opt-out keyword that matched. */
  keyword: string;
  /** The profiles to unsubscribe: at most 10, most recently active first. */
  customer_ids: Array<string>;
  /** The consent categories configured when the reply was processed. */
  categories: Array<string>;
}

/** A reply to track as an incoming_message campaign event (trackIncoming on). */
export interface IncomingMessageFact {
  /** The project the reply was routed to by its dedicated number. */
  project: string;
  /** The customer's phone (message.from), canonical 00 form. */
  phone: string;
  /** The reply's id (InboundSms.id). */
  message_id: string;
  /** message.received_at of the reply; the event time of the facts' events. */
  received_at: number;
  /** The reply's text. */
  body: string;
  /** message.from. */
  sender: string;
  /** message.to: the dedicated number. */
  recipient: string;
  /** The profile the reply is tracked to (last SMS sent, else most recently updated); null with no profile. */
  customer_id: string | null;
}

/** A reply matched an opt-in keyword: the blacklist was cleared and these profiles are to get consent accept events. */
export interface OptInFact {
  /** The project the reply was routed to by its dedicated number. */
  project: string;
  /** The customer's phone (message.from), canonical 00 form. */
  phone: string;
  /** The reply's id (InboundSms.id). */
  message_id: string;
  /** message.received_at of the reply; the event time of the facts' events. */
  received_at: number;
  /** The reply's text. */
  body: string;
  /** message.from. */
  sender: string;
  /** message.to: the dedicated number. */
  recipient: string;
  /** The configured opt-in keyword that matched. */
  keyword: string;
  /** The profiles to re-subscribe: at most 10, most recently active first. */
  customer_ids: Array<string>;
  /** The consent categories configured when the reply was processed. */
  categories: Array<string>;
}

/** A fact the matcher recorded for the materializer. Topic optline.facts.v1, keyed by '<project>:<phone>'. */
export interface MatcherFact {
  /** What happened. */
  fact: { 'dev.optline.OptOutFact': OptOutFact } | { 'dev.optline.IncomingMessageFact': IncomingMessageFact } | { 'dev.optline.OptInFact': OptInFact };
  /** When the matcher recorded the fact (wall clock); assigns it to a window. */
  recorded_at: number;
}

/** A profile of the project known to have this phone. */
export interface ProfileRef {
  /** The profile's id within the project. */
  customer_id: string;
  /** Last SMS the project sent to this profile on this phone; null when none seen. */
  last_sent_at: number | null;
  /** Last update of the profile; null when only known from a sent SMS. */
  updated_at: number | null;
}

/** The phone's blacklist entry in this project. */
export interface BlacklistState {
  /** BLOCKED at once; CONSENT_TRACKED once the consent events were tracked. */
  status: BlacklistStatus;
  /** Keyword of the latest opt-out. */
  keyword: string;
  /** Message id of the latest opt-out. */
  message_id: string;
  /** received_at of the latest opt-out. */
  blocked_at: number;
  /** When the entry last changed. */
  updated_at: number;
  /** keyword: an opt-out reply (also every state stored before this field existed); manual or import: an opt-out list command. */
  source: BlacklistSource;
  /** Who blocked by hand or imported; null for a keyword opt-out. */
  actor: string | null;
  /** Why, as the operator gave it; null for a keyword opt-out. */
  reason: string | null;
}

/** The matcher's state of one (project, phone): value of its RocksDB store and of the compacted changelog optline.matcher.phone-state-changelog.v1, keyed '<project>:<phone>'. */
export interface PhoneState {
  /** The profiles sharing this phone. */
  profiles: Array<ProfileRef>;
  /** The blacklist entry; null when the phone is not blacklisted. */
  blacklist: BlacklistState | null;
  /** message id -> received_at of replies already decided (kept at least 25 h), so a redelivery has one effect. */
  processed: Record<string, number>;
}

/** A reply that starts with no keyword but reads as a request to stop, waiting for an operator (possibleOptOuts: flag). Topic optline.possible-opt-outs.v1, compacted, keyed '<project>:<id>'; written by the matcher only. */
export interface PossibleOptOut {
  /** UUID v5 of project and message id: a redelivered reply is the same item. */
  id: string;
  /** The project the reply was routed to. */
  project: string;
  /** The customer's phone (message.from), canonical 00 form. */
  phone: string;
  /** The reply's id (InboundSms.id). */
  message_id: string;
  /** message.received_at of the reply. */
  received_at: number;
  /** The reply's text. */
  body: string;
  /** message.from. */
  sender: string;
  /** message.to: the dedicated number. */
  recipient: string;
  /** Why it reads as a request to stop, for the operator. */
  reason: string;
  /** keyword_variant, keyword_typo or phrase. */
  rule: string;
  /** The language of the phrase rule that matched (ISO 639-1). */
  language: string | null;
  /** The words of the reply that matched, normalised. */
  evidence: string;
  /** The configured opt-out keyword a variant or typo is of. */
  keyword: string | null;
}

export type PossibleOptOutVerdict = 'confirm' | 'dismiss';

/** An operator's decision on a possible opt-out of the review queue. Topic optline.possible-opt-out-decisions.v1, compacted, keyed '<project>:<id>' like the item; written by the API only. A confirm also sent a manual BLOCK command to the matcher. */
export interface PossibleOptOutDecision {
  /** The review-queue item's id. */
  id: string;
  /** The project. */
  project: string;
  /** The item's phone, canonical 00 form. */
  phone: string;
  /** confirm: the phone is blocked by hand; dismiss: nothing changes. */
  decision: PossibleOptOutVerdict;
  /** Who decided (the API caller). */
  actor: string;
  /** When the API accepted the decision. */
  decided_at: number;
  /** The BLOCK command a confirm sent; null for a dismiss. */
  command_id: string | null;
}

export type ReplyAttemptStatus = 'STARTED' | 'SENT' | 'FAILED';

/** The replier's record of one reply's delivery: STARTED before the first call to Sinch (acknowledged by the broker before the call), then SENT or FAILED in the transaction that tracks the campaign event. Compacted topic optline.replier.attempts.v1, keyed by event_id. */
export interface ReplyAttempt {
  /** The reply's event id (Sinch client_reference). */
  event_id: string;
  /** The project. */
  project: string;
  /** STARTED: outcome unknown until SENT or FAILED. */
  status: ReplyAttemptStatus;
  /** When this state was reached. */
  at: number;
  /** Sinch's batch id once SENT. */
  batch_id: string | null;
  /** Why it FAILED (the final 4xx, or the last error when given up). */
  reason: string | null;
}

export type ReplyKind = 'optOut' | 'optIn' | 'help';

/** An automatic reply the matcher decided, written in the same transaction as its cause; the replier sends it through Sinch. Topic optline.replies.v1, keyed '<project>:<phone>'. */
export interface ReplyIntent {
  /** Deterministic per (project, inbound message id, kind); the Sinch batch's client_reference. */
  event_id: string;
  /** The project. */
  project: string;
  /** optOut, optIn or help. */
  kind: ReplyKind;
  /** The SMS text, from the settings in force when the message was decided. */
  text: string;
  /** The dedicated number the customer wrote to (canonical phone or short code): the reply's sender. */
  from: string;
  /** The customer's canonical phone. */
  to: string;
  /** The inbound message this answers. */
  message_id: string;
  /** The keyword that matched (configured spelling). */
  keyword: string;
  /** The profile the incoming message is tracked to; null without one. */
  customer_id: string | null;
  /** The inbound message's received_at. */
  received_at: number;
  /** Timestamp of the inbound record in sms.inbound.v1 (ingress publishes it just before its 2xx): where the reply latency is measured from. */
  inbound_at: number | null;
  /** When the matcher decided the reply. */
  decided_at: number;
}

/** A request to change a project's SMS settings. Topic optline.settings-commands.v1 (one partition, so one writer applies every change in order), keyed by project. */
export interface SettingsCommand {
  /** Unique per request; its SettingsOutcome carries it back. */
  command_id: string;
  /** The project whose settings change. */
  project: string;
  /** The whole settings document as the client sent it, in JSON: the writer validates it against the stored settings. */
  document: string;
  /** Apply only when the stored version is this one (0: no settings yet); null applies to whatever is stored. */
  if_match: number | null;
  /** When the API accepted the request; stored as the settings' updatedAt. */
  requested_at: number;
  /** After this the requester no longer waits: the writer records the command as expired and applies nothing. */
  expires_at: number;
}

export type SettingsOutcomeKind = 'stored' | 'invalid' | 'precondition_failed' | 'expired';

/** One broken field of a refused document. */
export interface SettingsFieldError {
  /** Path of the value, e.g. replies[1].text; empty for the document. */
  field: string;
  /** The rule broken, e.g. keyword_too_long. */
  rule: string;
  /** For a person. */
  message: string;
}

/** A dedicated number that already belongs to another project. */
export interface NumberConflict {
  /** Path of the number, e.g. dedicatedNumbers[0]. */
  field: string;
  /** The canonical number. */
  number: string;
  /** The project that owns it. */
  project: string;
}

/** What the settings writer did with a SettingsCommand, written in the same transaction as the settings record it stored. Topic optline.settings-outcomes.v1 (one partition), keyed by project. */
export interface SettingsOutcome {
  /** The command this answers. */
  command_id: string;
  /** The command's project. */
  project: string;
  /** What happened. */
  outcome: SettingsOutcomeKind;
  /** stored: the version written; precondition_failed: the version stored (0: none); else null. */
  version: number | null;
  /** invalid: every broken field. */
  errors: Array<SettingsFieldError>;
  /** invalid: the numbers owned by other projects. */
  conflicts: Array<NumberConflict>;
  /** When the writer decided. */
  decided_at: number;
}

/** An SMS a sender service sent to a profile. Topic sms.sent.v1, keyed by the canonical phone. */
export interface SmsSent {
  /** The project that sent the SMS. */
  project: string;
  /** The profile the SMS was sent to. */
  customer_id: string;
  /** The recipient phone, canonical 00 form. */
  phone: string;
  /** The sender id used: the dedicated number customers reply to, or an alphanumeric sender. */
  sender: string;
  /** The sender's id of the sent message. */
  message_id: string;
  /** When the SMS was sent; the latest one decides which profile a reply is tracked to. */
  sent_at: number;
}

/** An automatic reply text: per kind one default (no keywords) and keyword-specific variants. */
export interface SmsReply {
  /** What the reply answers. */
  kind: ReplyKind;
  /** The SMS text, 1-612 characters. */
  text: string;
  /** The kind's keywords (configured spelling) this variant answers; empty for the kind's default. */
  keywords: Array<string>;
}

export type PossibleOptOutPolicy = 'flag' | 'blacklist' | 'off';

/** A project's SMS settings, validated and normalised. Topic optline.settings.v1 (compacted), keyed by project; a null value deletes. */
export interface SmsSettings {
  /** The project. */
  project: string;
  /** Increases by one with every stored change. */
  version: number;
  /** Track every inbound message as an incoming_message campaign event. */
  trackIncoming: boolean;
  /** Use opt-out keywords. */
  optOutEnabled: boolean;
  /** Opt-out keywords (at most 100, 1-20 characters, de-duplicated by normal form). */
  keywords: Array<string>;
  /** Opt-in keywords (same limits): a match clears the blacklist and tracks consent accept. */
  optInKeywords: Array<string>;
  /** Help keywords (same limits): a match sends the help reply and changes no blacklist entry. */
  helpKeywords: Array<string>;
  /** Automatic replies sent through Sinch: opt-out and opt-in confirmations and the help text. */
  replies: Array<SmsReply>;
  /** What a reply that reads as a request to stop, but starts with no keyword, does. */
  possibleOptOuts: PossibleOptOutPolicy;
  /** Consent categories (1-5 when optOutEnabled). */
  consentCategories: Array<string>;
  /** Numbers customers reply to: canonical phones or short codes, each owned by one project. */
  dedicatedNumbers: Array<string>;
  /** When this version was stored. */
  updatedAt: number;
}
