import type { KafkaMessage } from 'kafkajs';
import { UndecodableError, type Codec, type DeadLetterReason } from '@optline/kafka';
import { FactError, unwrapFact, type Fact, type MatcherFactRecord } from './facts.ts';

export type DeadLetter = { kind: 'dead_letter'; message: KafkaMessage; reason: DeadLetterReason };
/** What a facts record becomes: a fact for its window, or a dead letter flushed with it. */
export type Item = { kind: 'fact'; fact: Fact } | DeadLetter;

/**
 * Reads one record of the facts topic. A record that is not a usable fact becomes a dead letter
 * naming the rule, and takes its broker timestamp as its time: as deterministic on a re-read as
 * recorded_at, which the watermark needs. Throws only when the registry is unreachable (the
 * record is not at fault; kafkajs retries the batch).
 */
export async function readFact(codec: Codec, message: KafkaMessage, topic: string, partition: number): Promise<{ recordedAt: number; item: Item }> {
  // The source is named only for a dead letter: most records are facts.
  const dead = (rule: string, field: string, text: string) => ({
    recordedAt: Number(message.timestamp),
    item: { kind: 'dead_letter', message, reason: { source: `${topic}/${partition}@${message.offset}`, rule, field, message: text } } as const,
  });
  if (!message.value || message.value.length < 5 || message.value[0] !== 0) {
    return dead('not_avro', 'value', 'a fact must be an Avro MatcherFact in the Confluent wire format (magic byte 0, schema id)');
  }
  let record: MatcherFactRecord;
  try {
    record = codec.decodeKnown<MatcherFactRecord>('MatcherFact', message.value) ?? (await codec.decode<MatcherFactRecord>('MatcherFact', message.value));
  } catch (err) {
    if (!(err instanceof UndecodableError)) throw err;
    return dead('undecodable', 'value', `not a readable MatcherFact: ${err.message}`);
  }
  try {
    return { recordedAt: record.recorded_at, item: { kind: 'fact', fact: unwrapFact(record) } };
  } catch (err) {
    if (!(err instanceof FactError)) throw err;
    return dead(err.rule, err.field, err.message);
  }
}
