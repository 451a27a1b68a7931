// Which automatic reply, if any, an inbound message gets (SPEC.md Flows 5): pure, so the
// matcher can decide it in the same step as the blacklist and write the intent in the same
// transaction as its cause.

import type * as records from '@optline/schemas/records';
import { REPLY_KIND_OF, type CompiledSettings } from './compiled-settings.ts';
import { eventId, type CampaignEvent } from './events.ts';
import type { InboundMessage, PhoneState, ReplyDecidedFact } from './facts.ts';
import { attributeIncomingMessage } from './profiles.ts';
import type { ReplyKind } from './replies.ts';


/** An SMS the replier owes: the value of `optline.replies.v1`. */
export type ReplyIntent = records.ReplyIntent;

/** When a reply is decided, and the inbound record's timestamp (for the latency metric). */
export interface DecisionTimes {
  now: number;
  inboundAt?: number | null;
}

/** A repeated opt-out this soon after the one that blacklisted the phone gets no second confirmation. */
export const REPEATED_OPT_OUT_MS = 24 * 60 * 60 * 1000;

/** The record key of a reply intent, as the blacklist's: `<project>:<phone>`. */
export function replyKey(intent: Pick<ReplyIntent, 'project' | 'to'>): string {
  return `${intent.project}:${intent.to}`;
}

export function replyEventId(project: string, messageId: string, kind: ReplyKind): string {
  return eventId('reply', project, messageId, kind);
}

/**
 * The reply `message` gets, given the phone's state *before* it: none for a message already
 * processed, none without a matching keyword or a reply text for its kind, and none for an
 * opt-out that repeats a keyword opt-out of the last 24 h. The blacklist never blocks a reply:
 * an opt-out's confirmation is sent to a phone it has just blacklisted.
 */
export function decideReply(state: PhoneState, message: InboundMessage, settings: CompiledSettings, times: DecisionTimes): ReplyIntent | null {
  if (Object.hasOwn(state.processed, message.message_id)) return null;
  const hit = settings.match(message.body);
  if (hit === null) return null;
  const kind = REPLY_KIND_OF[hit.kind];
  if (kind === 'optOut' && repeatsRecentOptOut(state, message.received_at)) return null;
  const reply = settings.replyFor(kind, hit.keyword);
  if (reply === null) return null;
  return {
    event_id: replyEventId(message.project, message.message_id, kind),
    project: message.project,
    kind,
    text: reply.text,
    from: message.to,
    to: message.from,
    message_id: message.message_id,
    keyword: hit.keyword,
    customer_id: attributeIncomingMessage(state.profiles),
    received_at: message.received_at,
    inbound_at: times.inboundAt ?? null,
    decided_at: times.now,
  };
}

/** The fact of a decided reply, folded in with the message's other facts. */
export function replyDecided(intent: ReplyIntent): ReplyDecidedFact {
  return { type: 'reply_decided', project: intent.project, phone: intent.to, intent };
}

function repeatsRecentOptOut(state: PhoneState, at: number): boolean {
  const b = state.blacklist as (PhoneState['blacklist'] & { source?: string }) | null;
  // Only a keyword opt-out was confirmed; an entry blocked by hand or by an import was not.
  if (b === null || (b.source !== undefined && b.source !== 'keyword')) return false;
  return at - b.blocked_at < REPEATED_OPT_OUT_MS && at >= b.blocked_at;
}

/** How a reply ended: Sinch accepted the batch, or the replier gave up (with the reason). */
export type ReplyOutcome = { kind: 'sent'; at: number } | { kind: 'failed'; at: number; reason: string };

/**
 * The campaign event that tracks a reply (SPEC.md Flows 5): `auto_reply_sent` with the text, or
 * `auto_reply_failed` with the reason; sender the dedicated number, recipient the phone.
 */
export function replyCampaignEvent(intent: ReplyIntent, outcome: ReplyOutcome): CampaignEvent {
  const status = outcome.kind === 'sent' ? 'auto_reply_sent' : 'auto_reply_failed';
  return {
    // One per reply whichever way it ended: a reply is tracked once.
    event_id: eventId('campaign', intent.project, intent.event_id, 'auto_reply'),
    project: intent.project,
    customer_id: intent.customer_id,
    status,
    action_type: 'sms',
    timestamp: outcome.at,
    message: outcome.kind === 'sent' ? intent.text : outcome.reason,
    sender: intent.from,
    recipient: intent.to,
  };
}
