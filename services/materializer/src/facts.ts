// The matcher's facts as they travel on the facts topic (Avro MatcherFact), unwrapped into the
// core's fact values. avsc wraps a union of records in an object with one key, the branch's
// full name.

import { FACT_BRANCHES, type MatcherFactRecord, type RecordedFact } from '@optline/core';

export { factRecord, type MatcherFactRecord } from '@optline/core';

/** The facts that reach the materializer (the blacklist ones travel on the blacklist topic). */
export type Fact = RecordedFact;

/** A fact record that breaks a rule; it goes to the dead-letter topic with this reason. */
export class FactError extends Error {
  constructor(readonly field: string, readonly rule: string, message: string) {
    super(message);
    this.name = 'FactError';
  }
}

const TYPES = new Map<string, Fact['type']>(Object.entries(FACT_BRANCHES).map(([type, branch]) => [branch, type as Fact['type']]));

/** The fact of a decoded record; a FactError names the field and the rule it breaks. */
export function unwrapFact(record: MatcherFactRecord): Fact {
  if (!Number.isFinite(record.recorded_at)) throw new FactError('recorded_at', 'recorded_at_invalid', 'recorded_at must be a time in epoch milliseconds');
  const branches = Object.keys(record.fact ?? {});
  const type = branches.length === 1 ? TYPES.get(branches[0]!) : undefined;
  if (type === undefined) {
    throw new FactError('fact', 'fact_type_unknown', `fact must be one of ${Object.values(FACT_BRANCHES).join(', ')}; got ${branches.join(', ') || 'nothing'}`);
  }
  // One key, checked above: the branch's fields, whichever branch it is.
  const fields = (record.fact as Record<string, Omit<Fact, 'type'>>)[branches[0]!]!;
  for (const field of ['project', 'phone', 'message_id'] as const) {
    if (fields[field] === '') throw new FactError(`fact.${field}`, `${field}_empty`, `${field} must not be empty`);
  }
  return { ...fields, type } as Fact;
}
