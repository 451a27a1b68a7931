// Core facts as records of the facts topic (Avro MatcherFact, a union of records that avsc
// wraps as `{ '<full name>': fields }`), and the blacklist entry of a state.

import { selectProfilesToUnsubscribe, type CompiledSettings, type Fact, type InboundMessage, type PhoneState } from '@optline/core';

export const FACT_BRANCHES = {
  opted_out: 'dev.optline.OptOutFact',
  incoming_message: 'dev.optline.IncomingMessageFact',
  opted_in: 'dev.optline.OptInFact',
} as const;

export interface MatcherFactRecord {
  fact: Record<string, Record<string, unknown>>;
  recorded_at: number;
}

/**
 * The facts-topic record of a fact, or null for the facts that only change the blacklist
 * (they travel on the blacklist topic). `before` is the state the message was decided on.
 */
export function matcherFactRecord(fact: Fact, message: InboundMessage, settings: CompiledSettings, before: PhoneState, recordedAt: number): MatcherFactRecord | null {
  switch (fact.type) {
    case 'opted_out': {
      const { type, ...fields } = fact;
      return { fact: { [FACT_BRANCHES[type]]: fields }, recorded_at: recordedAt };
    }
    case 'incoming_message': {
      const { type, ...fields } = fact;
      return { fact: { [FACT_BRANCHES[type]]: fields }, recorded_at: recordedAt };
    }
    case 'opted_in': {
      // The core's opt-in fact does not carry the message or the profiles; the OptInFact record
      // needs them for the consent accept events. Chosen as the core chooses them for an opt-out.
      const { type, ...fields } = fact;
      return {
        fact: {
          [FACT_BRANCHES[type]]: {
            ...fields,
            body: message.body,
            sender: message.from,
            recipient: message.to,
            customer_ids: selectProfilesToUnsubscribe(before.profiles),
            categories: [...settings.settings.consentCategories],
          },
        },
        recorded_at: recordedAt,
      };
    }
    case 'blacklisted':
    case 'blacklist_cleared':
      return null;
  }
}
