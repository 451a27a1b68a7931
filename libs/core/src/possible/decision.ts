// What a possible opt-out does (SPEC.md settings `possibleOptOuts`, Flows 7), decided with the
// rest of a reply in `decide`: `flag` records it for the review queue and blocks nothing,
// `blacklist` treats it as an opt-out with source `keyword` and the detector's reason recorded,
// `off` does nothing. Only while `optOutEnabled`, and only for a body no keyword matched.

import type { Fact, InboundMessage, PhoneState, PossibleOptOutFact } from '../facts.ts';
import { selectProfilesToUnsubscribe } from '../profiles.ts';
import type { SmsSettings } from '../settings.ts';
import { uuidV5 } from '../uuid.ts';
import { compilePossibleOptOuts, type PossibleOptOutDetector } from './detector.ts';

const detectors = new WeakMap<SmsSettings, PossibleOptOutDetector>();

/** The detector for a settings value's opt-out keywords, compiled once per settings object. */
export function possibleOptOutDetector(settings: SmsSettings): PossibleOptOutDetector {
  let d = detectors.get(settings);
  if (d === undefined) detectors.set(settings, (d = compilePossibleOptOuts(settings.keywords)));
  return d;
}

// UUID v5 namespace of review-queue item ids (a random constant, chosen once).
const NAMESPACE = Buffer.from('6d1f7c1e3a524b7e9f0b6c2a4f1e8d90', 'hex');

/** The review-queue id of a message's possible opt-out: the same for every redelivery. */
export function possibleOptOutId(project: string, messageId: string): string {
  return uuidV5(NAMESPACE, JSON.stringify(['possible_opt_out', project, messageId]));
}

/** The facts of a body no keyword matched; [] when it is not a possible opt-out or the policy says nothing. */
export function decidePossibleOptOut(state: PhoneState, message: InboundMessage, settings: SmsSettings): Fact[] {
  const policy = settings.possibleOptOuts;
  if (policy === 'off' || !settings.optOutEnabled) return [];
  const found = possibleOptOutDetector(settings).detect(message.body);
  if (!found.possible) return [];
  const { project, message_id, received_at, body } = message;
  const phone = message.from;
  const reason = found.reason!;
  if (policy === 'flag') {
    // A phone already on the list has nothing to review.
    if (state.blacklist !== null) return [];
    return [{
      type: 'possible_opt_out', id: possibleOptOutId(project, message_id), project, phone, message_id, received_at, body,
      sender: message.from, recipient: message.to, reason, rule: found.rule!, language: found.language ?? null,
      evidence: found.evidence!, keyword: found.keyword ?? null,
    }];
  }
  const keyword = found.keyword ?? '';
  return [
    { type: 'blacklisted', project, phone, keyword, message_id, blocked_at: received_at, source: 'keyword', actor: null, reason: `possible opt-out: ${reason}` },
    {
      type: 'opted_out', project, phone, message_id, keyword, received_at, body, sender: message.from, recipient: message.to,
      customer_ids: selectProfilesToUnsubscribe(state.profiles), categories: [...settings.consentCategories],
    },
  ];
}

/** The review queue's value (Avro PossibleOptOut): the fact without its type. */
export type PossibleOptOutRecord = Omit<PossibleOptOutFact, 'type'>;

export function possibleOptOutRecord(fact: PossibleOptOutFact): PossibleOptOutRecord {
  const { type: _, ...record } = fact;
  return record;
}

/** The review queue's key: `<project>:<id>`. */
export function possibleOptOutKey(item: { project: string; id: string }): string {
  return `${item.project}:${item.id}`;
}
