// Core facts as records of the facts topic (Avro MatcherFact).

import { factRecord, isRecordedFact, type Fact, type MatcherFactRecord } from '@optline/core';

/**
 * The facts-topic record of a fact, or null for the facts that only change the phone's state
 * (the blacklist ones travel on the blacklist topic). The core's facts carry every field the record needs.
 */
export function matcherFactRecord(fact: Fact, recordedAt: number): MatcherFactRecord | null {
  return isRecordedFact(fact) ? factRecord(fact, recordedAt) : null;
}
