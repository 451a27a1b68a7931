import { avroType } from '@optline/schemas';
import type { AvroSerde } from './serde.ts';

type AvroType = ReturnType<typeof avroType>;

function schemaId(bytes: Buffer | null): number {
  if (bytes === null) throw new UndecodableError('value is null; a record of this topic always has a value');
  if (bytes.length < 5 || bytes[0] !== 0) throw new UndecodableError('value is not in the Confluent wire format (magic byte 0 and a 4-byte schema id)');
  return bytes.readInt32BE(1);
}

function read<T>(resolver: { read(payload: Buffer): unknown }, record: string, id: number, bytes: Buffer): T {
  try {
    return resolver.read(bytes.subarray(5)) as T;
  } catch (error) {
    throw new UndecodableError(`value is not a valid ${record} (schema id ${id}): ${(error as Error).message}`);
  }
}

/**
 * A record value that is not Confluent-framed Avro of the expected record: dead-letter it. The
 * one error class of decoding: anything else (a registry that does not answer) is not the
 * record's fault, and the batch is retried.
 */
export class UndecodableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndecodableError';
  }
}

/**
 * The one decode path of optline's services: reads values as the record this code was written
 * against (the reader schema in schemas/avro), whatever compatible schema wrote them, so a
 * producer's newer optional field never surprises a consumer. Only bytes that can never be read
 * are UndecodableError; a registry that does not answer is an ordinary error, so the batch is
 * retried rather than dead-lettered.
 */
export class Codec {
  private readonly readers = new Map<string, AvroType>();
  private readonly resolvers = new Map<string, { read(payload: Buffer): unknown }>();

  constructor(readonly serde: AvroSerde) {}

  /** Confluent-framed Avro of the topic's registered schema (the serde's encoder, looked up once per topic). */
  async encode(topic: string, value: unknown): Promise<Buffer> {
    return (await this.serde.encoderFor(topic))(value);
  }

  async decode<T>(record: string, bytes: Buffer | null): Promise<T> {
    const id = schemaId(bytes);
    return read<T>(this.resolvers.get(`${record}@${id}`) ?? (await this.resolver(record, id)), record, id, bytes!);
  }

  /**
   * The same without a promise once `decode` has resolved this writer schema for `record`;
   * undefined before (then use `decode`). For hot loops that read many records.
   */
  decodeKnown<T>(record: string, bytes: Buffer | null): T | undefined {
    const id = schemaId(bytes);
    const resolver = this.resolvers.get(`${record}@${id}`);
    return resolver === undefined ? undefined : read<T>(resolver, record, id, bytes!);
  }

  private async resolver(record: string, id: number): Promise<{ read(payload: Buffer): unknown }> {
    let reader = this.readers.get(record);
    if (!reader) this.readers.set(record, (reader = avroType(record)));
    let writer: AvroType;
    try {
      writer = (await this.serde.registry.getSchema(id)) as unknown as AvroType;
    } catch (error) {
      if ((error as { status?: number }).status === 404) throw new UndecodableError(`schema id ${id} is unknown to the schema registry`);
      throw error;
    }
    let read: (payload: Buffer) => unknown;
    if (writer.equals(reader)) {
      read = (payload) => reader.fromBuffer(payload);
    } else {
      let resolving: ReturnType<AvroType['createResolver']>;
      try {
        resolving = reader.createResolver(writer);
      } catch (error) {
        throw new UndecodableError(`schema id ${id} cannot be read as ${record}: ${(error as Error).message}`);
      }
      read = (payload) => reader.fromBuffer(payload, resolving);
    }
    const entry = { read };
    this.resolvers.set(`${record}@${id}`, entry);
    return entry;
  }
}
