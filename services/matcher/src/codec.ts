import type { AvroSerde } from '@optline/kafka';
import { avroType } from '@optline/schemas';

type AvroType = ReturnType<typeof avroType>;

/** A record value that is not Confluent-framed Avro of the expected record: dead-letter it. */
export class UndecodableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndecodableError';
  }
}

/**
 * Reads values as the record this code was written against (the reader schema), whatever
 * compatible schema wrote them, so a producer's newer optional field never surprises the
 * matcher. Only bytes that can never be read are UndecodableError; a registry that does not
 * answer is an ordinary error, so the batch is retried rather than dead-lettered.
 */
export class Codec {
  private readonly readers = new Map<string, AvroType>();
  private readonly resolvers = new Map<string, { read(payload: Buffer): unknown }>();
  private readonly writers = new Map<string, { header: Buffer; type: AvroType }>();

  /** Where values are encoded before their exact-size copy (grown when a value does not fit). */
  private scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(readonly serde: AvroSerde) {}

  /** Confluent-framed Avro of the topic's registered schema (looked up once per topic). */
  async encode(topic: string, value: unknown): Promise<Buffer> {
    const writer = this.writers.get(topic);
    if (writer) return this.frame(writer, value);
    const framed = await this.serde.encode(topic, value);
    const type = (await this.serde.registry.getSchema(framed.readInt32BE(1))) as unknown as AvroType;
    this.writers.set(topic, { header: framed.subarray(0, 5), type });
    return framed;
  }

  /**
   * The same bytes as `Buffer.concat([header, type.toBuffer(value)])` with one allocation and
   * one copy instead of two of each (this runs for every fact and every changed state).
   */
  private frame(writer: { header: Buffer; type: AvroType }, value: unknown): Buffer {
    writer.header.copy(this.scratch, 0);
    let end = writer.type.encode(value, this.scratch, writer.header.length);
    if (end < 0) {
      // avsc returns minus the bytes missing; nothing was kept, so encode again in a larger buffer.
      this.scratch = Buffer.allocUnsafe(Math.max(2 * this.scratch.length, this.scratch.length - end));
      writer.header.copy(this.scratch, 0);
      end = writer.type.encode(value, this.scratch, writer.header.length);
    }
    const framed = Buffer.allocUnsafe(end);
    this.scratch.copy(framed, 0, 0, end);
    return framed;
  }

  async decode<T>(record: string, bytes: Buffer | null): Promise<T> {
    if (bytes === null) throw new UndecodableError('value is null; a record of this topic always has a value');
    if (bytes.length < 5 || bytes[0] !== 0) throw new UndecodableError('value is not in the Confluent wire format (magic byte 0 and a 4-byte schema id)');
    const id = bytes.readInt32BE(1);
    const resolver = this.resolvers.get(`${record}@${id}`) ?? (await this.resolver(record, id));
    try {
      return resolver.read(bytes.subarray(5)) as T;
    } catch (error) {
      throw new UndecodableError(`value is not a valid ${record} (schema id ${id}): ${(error as Error).message}`);
    }
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
