import type { Message, Sender, TopicMessages } from 'kafkajs';

// kafkajs puts everything of one send into one record batch per partition and does not split
// it; the broker refuses a batch over message.max.bytes (1 MiB by default). Sends of at most
// this many bytes keep every partition's batch under it whatever the key distribution.
const CHUNK_BYTES = 768 * 1024;
// Chosen when kafkajs grouped a send's messages by partition in quadratic time; that is patched
// now (patches/kafkajs+2.2.4.patch), so a larger cap is worth measuring with bench materializer.
const CHUNK_MESSAGES = 1000;

// Module-level, not a closure inside size(): this runs for every record of a flush, and a
// closure per call (named at run time by the TypeScript loader) was 3 % of the flush.
function len(v: Message['key'] | Message['value']): number {
  return v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}

function size(m: Message): number {
  let headers = 0;
  if (m.headers) for (const k in m.headers) {
    const v = m.headers[k];
    headers += k.length + (typeof v === 'string' ? Buffer.byteLength(v) : Buffer.isBuffer(v) ? v.length : 16);
  }
  return len(m.key) + len(m.value) + headers + 64;
}

/** The messages split into sends of at most CHUNK_BYTES and CHUNK_MESSAGES, topics kept apart, order kept. */
export function chunks(topicMessages: readonly TopicMessages[]): TopicMessages[][] {
  const out: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let bytes = 0;
  let count = 0;
  for (const { topic, messages } of topicMessages) {
    let batch: Message[] = [];
    for (const m of messages) {
      const s = size(m);
      if ((bytes + s > CHUNK_BYTES || count >= CHUNK_MESSAGES) && bytes > 0) {
        if (batch.length) current.push({ topic, messages: batch });
        out.push(current);
        current = [];
        batch = [];
        bytes = 0;
        count = 0;
      }
      batch.push(m);
      bytes += s;
      count++;
    }
    if (batch.length) current.push({ topic, messages: batch });
  }
  if (current.length) out.push(current);
  return out;
}

/** Sends everything (inside a transaction when `sender` is one), chunk after chunk. */
export async function sendAll(sender: Pick<Sender, 'sendBatch'>, topicMessages: readonly TopicMessages[]): Promise<void> {
  for (const chunk of chunks(topicMessages)) await sender.sendBatch({ topicMessages: chunk, acks: -1 });
}
