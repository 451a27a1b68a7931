// Topology as data: what a task group reads, stores and writes, declared once. Handlers get
// sinks for the outputs their group declares, and nothing else.

import type { IHeaders } from 'kafkajs';

/** An output a task group declares: its topic and the values its handlers write there. */
export interface Output<V> {
  readonly topic: string;
  /** `avro`: values are encoded with the topic's registered schema; `bytes`: written as they are. */
  readonly format: 'avro' | 'bytes';
  /** Type only: the value a sink of this output takes. */
  readonly value?: V;
}

export function avroOutput<V>(topic: { name: string }): Output<V> {
  return { topic: topic.name, format: 'avro' };
}

/** For records forwarded unchanged (already encoded) and dead letters. */
export function bytesOutput(topic: { name: string }): Output<Buffer> {
  return { topic: topic.name, format: 'bytes' };
}

export type Outputs = Readonly<Record<string, Output<any>>>;

/** One record of a transaction, encoded. */
export interface OutputRecord {
  topic: string;
  key: string | null;
  value: Buffer | null;
  headers?: IHeaders;
}

export interface Sink<V> {
  /** A null value is a tombstone. */
  send(key: string | null, value: V | null, headers?: IHeaders): void;
}

export type Sinks<O extends Outputs> = { readonly [K in keyof O]: O[K] extends Output<infer V> ? Sink<V> : never };

/** Synchronous encoders of the Avro outputs' topics, looked up before any work starts. */
export type Encoders = ReadonlyMap<string, (value: unknown) => Buffer>;

export async function encodersFor(outputs: readonly Outputs[], encoderFor: (topic: string) => Promise<(value: unknown) => Buffer>): Promise<Encoders> {
  const encoders = new Map<string, (value: unknown) => Buffer>();
  for (const group of outputs) {
    for (const output of Object.values(group)) {
      if (output.format === 'avro' && !encoders.has(output.topic)) encoders.set(output.topic, await encoderFor(output.topic));
    }
  }
  return encoders;
}

/** The sinks of one group's outputs: each encodes its values and hands the records to `push`, in order. */
export function sinks<O extends Outputs>(outputs: O, encoders: Encoders, push: (record: OutputRecord) => void): Sinks<O> {
  const result: Record<string, Sink<unknown>> = {};
  for (const [name, output] of Object.entries(outputs)) {
    const { topic } = output;
    const encode = output.format === 'avro' ? encoders.get(topic) : (value: unknown) => value as Buffer;
    if (!encode) throw new Error(`output ${name}: no encoder for topic ${topic}`);
    result[name] = {
      send(key, value, headers) {
        const record: OutputRecord = { topic, key, value: value === null ? null : encode(value) };
        if (headers !== undefined) record.headers = headers;
        push(record);
      },
    };
  }
  return result as Sinks<O>;
}
