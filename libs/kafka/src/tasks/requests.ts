// Produce-request splitting, with one size estimate for every producer of optline.
//
// kafkajs puts everything of one send into one record batch per partition and never splits it;
// the broker refuses a batch over `message.max.bytes` (1 MiB by default). Requests of at most
// PRODUCE_REQUEST_BYTES keep every partition's batch below it whatever the key distribution.

import type { IHeaders, Message, Sender, TopicMessages } from 'kafkajs';

/**
 * 512 KiB: half the broker's default limit, so the estimate may be off by a factor of two. The
 * matcher used 128 KiB and the materializer 768 KiB (and 1000 records) while kafkajs grouped a
 * request's records by partition in quadratic time; that is patched (patches/README.md, producer speed).
 */
export const PRODUCE_REQUEST_BYTES = 512 * 1024;

/** Per-record framing in a record batch (lengths, deltas, attributes), counted generously. */
const RECORD_OVERHEAD = 32;

// Module-level, not closures: these run for every record a service writes.
function length(v: string | Buffer | null | undefined): number {
  return v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}

function headersSize(headers: IHeaders | undefined): number {
  let size = 0;
  if (headers) {
    for (const name in headers) {
      size += Buffer.byteLength(name) + 8;
      const v = headers[name];
      if (Array.isArray(v)) for (const one of v) size += length(one);
      else size += length(v);
    }
  }
  return size;
}

/** The bytes a record takes in a produce request, as estimated everywhere in optline. */
export function messageSize(m: Pick<Message, 'key' | 'value' | 'headers'>): number {
  return RECORD_OVERHEAD + length(m.key) + length(m.value) + headersSize(m.headers);
}

/**
 * The messages split into produce requests of at most `maxBytes` (a record larger than that
 * alone), in order: a topic's messages keep their order and topics keep theirs.
 */
export function splitRequests(topicMessages: readonly TopicMessages[], maxBytes = PRODUCE_REQUEST_BYTES): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    let batch: Message[] = [];
    for (const m of messages) {
      const size = messageSize(m);
      if (bytes > 0 && bytes + size > maxBytes) {
        if (batch.length > 0) current.push({ topic, messages: batch });
        requests.push(current);
        current = [];
        batch = [];
        bytes = 0;
      }
      batch.push(m);
      bytes += size;
    }
    if (batch.length > 0) current.push({ topic, messages: batch });
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

/** Sends everything (inside a transaction when `sender` is one), request after request, acks=all. */
export async function sendAll(sender: Pick<Sender, 'sendBatch'>, topicMessages: readonly TopicMessages[]): Promise<void> {
  for (const request of splitRequests(topicMessages)) await sender.sendBatch({ topicMessages: request, acks: -1 });
}
