import avro from 'avsc';
import { avroType, schema } from '@optline/schemas';
import type { AvroSerde } from './serde.ts';

type AvroType = ReturnType<typeof avroType>;

function schemaId(bytes: Buffer | null): number {
  if (bytes === null) throw new UndecodableError('value is null; a record of this topic always has a value');
  if (bytes.length < 5 || bytes[0] !== 0) throw new UndecodableError('value is not in the Confluent wire format (magic byte 0 and a 4-byte schema id)');
  return bytes.readInt32BE(1);
}

function read<T>(resolver: Resolver, record: string, id: number, bytes: Buffer): T {
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

type Resolver = { read(payload: Buffer): unknown };

/**
 * The one decode path of optline's services: reads values as the record this code was written
 * against (the reader schema in schemas/avro), whatever compatible schema wrote them, so a
 * producer's newer optional field never surprises a consumer and an older record gets the
 * defaults of the fields it lacks. Only bytes that can never be read are UndecodableError; a
 * registry that does not answer is an ordinary error, so the batch is retried rather than
 * dead-lettered.
 */
export class Codec {
  private readonly readers = new Map<string, AvroType>();
  /** Per reader, per writer schema id: resolved once, then every record of that id is synchronous. */
  private readonly resolvers = new Map<string, Map<number, Resolver>>();

  constructor(readonly serde: AvroSerde) {}

  /** Confluent-framed Avro of the topic's registered schema (the serde's encoder, looked up once per topic). */
  async encode(topic: string, value: unknown): Promise<Buffer> {
    return (await this.serde.encoderFor(topic))(value);
  }

  async decode<T>(record: string, bytes: Buffer | null): Promise<T> {
    const id = schemaId(bytes);
    return read<T>(this.resolvers.get(record)?.get(id) ?? (await this.resolver(record, id)), record, id, bytes!);
  }

  /**
   * The same without a promise once `decode` has resolved this writer schema for `record`;
   * undefined before (then use `decode`). For hot loops that read many records.
   */
  decodeKnown<T>(record: string, bytes: Buffer | null): T | undefined {
    const id = schemaId(bytes);
    const resolver = this.resolvers.get(record)?.get(id);
    return resolver === undefined ? undefined : read<T>(resolver, record, id, bytes!);
  }

  /** A value of `topic` (one the serde knows), read as the topic's record. */
  decodeFrom<T>(topic: string, bytes: Buffer | null): Promise<T> {
    return this.decode<T>(this.serde.recordOf(topic), bytes);
  }

  /** `decodeKnown`, else `decode`: a value where the writer schema is known, a promise the first time. */
  decodeSoon<T>(record: string, bytes: Buffer | null): T | Promise<T> {
    const known = this.decodeKnown<T>(record, bytes);
    return known === undefined ? this.decode<T>(record, bytes) : known;
  }

  /**
   * A reader of only `fields` of `record` (their definitions taken from its schema), named
   * `<record>{<fields>}` for decode and decodeKnown: the other fields of each value are skipped
   * unread, for tables that keep a byte of a record and not the record.
   */
  projection(record: string, fields: readonly string[]): string {
    const name = `${record}{${fields.join(',')}}`;
    if (!this.readers.has(name)) {
      const full = schema(record);
      const kept = full.fields.filter((f) => fields.includes(f.name));
      if (kept.length !== fields.length) throw new Error(`projection ${name}: ${record} has no field ${fields.find((f) => !kept.some((k) => k.name === f))}`);
      this.readers.set(name, avro.Type.forSchema({ ...full, fields: kept } as avro.Schema));
    }
    return name;
  }

  private async resolver(record: string, id: number): Promise<Resolver> {
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
    let byId = this.resolvers.get(record);
    if (!byId) this.resolvers.set(record, (byId = new Map()));
    byId.set(id, entry);
    return entry;
  }
}
