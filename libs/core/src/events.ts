// The tracking events the materializer emits, built from facts. Field names and values are the
// product page's. Every event_id is derived from what the event is about, so rebuilding an
// event after a crash gives the same id and a consumer can de-duplicate.

import type * as records from '@optline/schemas/records';
import type { IncomingMessageFact, OptedInFact, OptedOutFact } from './facts.ts';
import { uuidV5 } from './uuid.ts';

export const ENQUEUE_FAILED_MESSAGE = 'Phone number is blacklisted by an opt-out keyword.';

/**
 * A `tracking.campaign.v1` value: a reply's incoming_message, a refused send's enqueue_failed,
 * an automatic reply's outcome. The core always knows the customer's phone, so `sender` is set.
 */
export type CampaignEvent = records.CampaignEvent & { sender: string };

/** A `tracking.consent.v1` value: the reject (opt-out) or accept (opt-in) of one profile and category. */
export type ConsentEvent = records.ConsentEvent;

// Fixed namespace of optline's event ids (a random UUID, chosen once).
const NAMESPACE = Buffer.from('3f1c2b7e9a4d4e0f8b6a5c2d1e0f9a8b', 'hex');

/**
 * A name-based (version 5, SHA-1) UUID of the given parts. The parts are JSON-encoded, so no
 * separator inside a message id can make two different events collide.
 */
export function eventId(...parts: ReadonlyArray<string | number | null>): string {
  return uuidV5(NAMESPACE, JSON.stringify(parts));
}

/**
 * One consent event per profile and configured category: `reject` for an opt-out, `accept`
 * for an opt-in keyword.
 */
export function consentEventsFor(fact: OptedOutFact | OptedInFact, importedAt: number): ConsentEvent[] {
  const action = fact.type === 'opted_out' ? 'reject' : 'accept';
  const events: ConsentEvent[] = [];
  for (const customer_id of fact.customer_ids) {
    for (const category of fact.categories) {
      events.push({
        event_id: eventId('consent', fact.project, fact.message_id, customer_id, category, action),
        project: fact.project,
        customer_id,
        timestamp: fact.received_at,
        imported_timestamp: importedAt,
        action,
        source: 'sms_reply',
        category,
        identification: fact.sender,
        identification_type: 'phone',
        message: fact.body,
      });
    }
  }
  return events;
}

/** The `incoming_message` campaign event of a tracked message. */
export function campaignEventFor(fact: IncomingMessageFact): CampaignEvent {
  return {
    event_id: eventId('campaign', fact.project, fact.message_id, fact.customer_id, 'incoming_message'),
    project: fact.project,
    customer_id: fact.customer_id,
    status: 'incoming_message',
    action_type: 'sms',
    timestamp: fact.received_at,
    message: fact.body,
    sender: fact.sender,
    recipient: fact.recipient,
  };
}

export interface EnqueueFailed {
  project: string;
  /** The blacklisted customer phone the send was refused for. */
  phone: string;
  customer_id: string | null;
  /** When the send was attempted. */
  at: number;
  /** The dedicated number the SMS would have been sent from, when known. */
  recipient?: string | null;
}

/**
 * The `enqueue_failed` campaign event of a refused send. `sender` and `recipient` keep their
 * meaning from incoming messages (customer's phone, dedicated number) so one query finds
 * both kinds of event for a phone.
 */
export function enqueueFailedEvent(e: EnqueueFailed): CampaignEvent {
  return {
    event_id: eventId('campaign', e.project, e.phone, e.customer_id, e.at, 'enqueue_failed'),
    project: e.project,
    customer_id: e.customer_id,
    status: 'enqueue_failed',
    action_type: 'sms',
    timestamp: e.at,
    message: ENQUEUE_FAILED_MESSAGE,
    sender: e.phone,
    recipient: e.recipient ?? null,
  };
}

/** The record key of a tracking event: customer_id, else the phone. */
export function trackingKey(event: ConsentEvent | CampaignEvent): string {
  return event.customer_id ?? ('identification' in event ? event.identification : event.sender);
}
