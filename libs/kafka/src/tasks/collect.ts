import type { Message, TopicMessages } from 'kafkajs';
import { sinks, type Encoders, type Outputs, type Sinks } from './topology.ts';

/**
 * Sinks of a group's outputs whose records are gathered per topic, in the order they were sent:
 * the records of one transaction, for `commitTransaction`.
 */
export function collectingSinks<O extends Outputs>(outputs: O, encoders: Encoders): { out: Sinks<O>; records(): TopicMessages[] } {
  const byTopic = new Map<string, Message[]>();
  const out = sinks(outputs, encoders, ({ topic, key, value, headers }) => {
    let messages = byTopic.get(topic);
    if (!messages) byTopic.set(topic, (messages = []));
    messages.push(headers === undefined ? { key, value } : { key, value, headers });
  });
  return { out, records: () => [...byTopic].map(([topic, messages]) => ({ topic, messages })) };
}
