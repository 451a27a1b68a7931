import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { schema as loadSchema } from '@optline/schemas';
import { TOPICS, type Topics, type TopicSpec } from './topics.ts';

export class SchemaRegistryError extends Error {
  constructor(
    readonly subject: string,
    readonly status: number,
    message: string,
  ) {
    super(`schema registry refused ${subject} (HTTP ${status}): ${message}`);
    this.name = 'SchemaRegistryError';
  }
}

/** What framedEncoder needs of an avsc Type. */
export interface AvroWriter {
  /** Writes at `pos`; returns the end, or minus the bytes missing when `buf` is too small. */
  encode(value: unknown, buf: Buffer, pos: number): number;
}

/**
 * Values of schema `id` in the Confluent wire format (magic byte 0, the id, the Avro bytes):
 * the same bytes as `Buffer.concat([header, type.toBuffer(value)])` with one allocation and one
 * copy instead of two of each, through a scratch buffer that grows when a value does not fit.
 */
export function framedEncoder(id: number, type: AvroWriter): (value: unknown) => Buffer {
  let scratch = Buffer.allocUnsafe(64 * 1024);
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1); // byte 0 is the magic byte 0
  return (value) => {
    header.copy(scratch, 0);
    let end = type.encode(value, scratch, header.length);
    if (end < 0) {
      // Nothing was kept: encode again in a buffer large enough.
      scratch = Buffer.allocUnsafe(Math.max(2 * scratch.length, scratch.length - end));
      header.copy(scratch, 0);
      end = type.encode(value, scratch, header.length);
    }
    const framed = Buffer.allocUnsafe(end);
    scratch.copy(framed, 0, 0, end);
    return framed;
  };
}

export type Compatibility = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FULL' | 'NONE';

/**
 * Avro values in the Confluent wire format. Each topic's schema is registered under
 * `<topic>-value` with BACKWARD compatibility before the first write, so a producer can never
 * publish a schema that existing consumers cannot read. It encodes only: values are read
 * through `Codec` (codec.ts), with the reader schemas of schemas/avro.
 */
export class AvroSerde {
  readonly registry: SchemaRegistry;
  private readonly ids = new Map<string, number>();
  private readonly registering = new Map<string, Promise<number>>();
  private readonly encoders = new Map<string, Promise<(value: unknown) => Buffer>>();

  constructor(
    readonly registryUrl: string,
    private readonly known: Topics = TOPICS,
  ) {
    this.registry = new SchemaRegistry({ host: registryUrl });
  }

  /** Finds the schema under the subject, else sets the subject's compatibility and registers it; returns its id. */
  async register(subject: string, schema: object, compatibility: Compatibility = 'BACKWARD'): Promise<number> {
    // Registered already (every start after the first): one look-up instead of two writes, which
    // matters when every service of a restart registers at once on a loaded machine.
    const found = await fetch(`${this.registryUrl}/subjects/${encodeURIComponent(subject)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schemaType: SchemaType.AVRO, schema: JSON.stringify(schema) }),
    });
    if (found.ok) return (JSON.parse(await found.text()) as { id: number }).id;
    await found.body?.cancel();
    const putConfig = () => fetch(`${this.registryUrl}/config/${encodeURIComponent(subject)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility }),
    });
    let config = await putConfig();
    // Two processes (or a service and start's provisioning) setting a new subject's rule at
    // once: Apicurio creates it for one and answers 409 "already exists" to the other, which
    // then updates the rule that now exists.
    if (config.status === 409) config = await putConfig();
    if (!config.ok) throw new SchemaRegistryError(subject, config.status, await config.text());
    const res = await fetch(`${this.registryUrl}/subjects/${encodeURIComponent(subject)}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schemaType: SchemaType.AVRO, schema: JSON.stringify(schema) }),
    });
    const text = await res.text();
    if (!res.ok) throw new SchemaRegistryError(subject, res.status, text);
    return (JSON.parse(text) as { id: number }).id;
  }

  /** Registers the value schemas of the given topics (default: all) and remembers their ids. */
  async registerTopics(specs: readonly TopicSpec[] = Object.values(this.known)): Promise<void> {
    // At once rather than one after another: two requests per subject, ~20 subjects, and every
    // service start (a restart after a crash too) waits for them.
    await Promise.all(specs.flatMap((spec) => {
      const valueSchema = spec.valueSchema;
      if (!valueSchema) return [];
      return [this.register(`${spec.name}-value`, loadSchema(valueSchema)).then((id) => this.ids.set(spec.name, id))];
    }));
  }

  /** The Avro record of a known topic's values (by the topic's full name). */
  recordOf(topic: string): string {
    const record = Object.values(this.known).find((t: TopicSpec) => t.name === topic)?.valueSchema;
    if (!record) throw new Error(`topic ${topic} has no Avro value schema`);
    return record;
  }

  private async idFor(topic: string): Promise<number> {
    const id = this.ids.get(topic);
    if (id !== undefined) return id;
    // Concurrent first encodes of a topic (Promise.all over a batch) share one registration
    // instead of opening one HTTP request each; a failed one is forgotten so the next retries.
    let pending = this.registering.get(topic);
    if (pending === undefined) {
      pending = this.register(`${topic}-value`, loadSchema(this.recordOf(topic))).finally(() => this.registering.delete(topic));
      this.registering.set(topic, pending);
    }
    const registered = await pending;
    this.ids.set(topic, registered);
    return registered;
  }

  async encode(topic: string, value: unknown): Promise<Buffer> {
    return this.registry.encode(await this.idFor(topic), value);
  }

  /**
   * A synchronous encoder for the topic's values (same bytes as `encode`), for hot loops that
   * encode many records at once: no promise, no registry cache look-up per record. One per
   * topic and serde; a failed look-up is forgotten so the next call retries.
   */
  encoderFor(topic: string): Promise<(value: unknown) => Buffer> {
    let encoder = this.encoders.get(topic);
    if (encoder === undefined) {
      encoder = (async () => {
        const id = await this.idFor(topic);
        return framedEncoder(id, (await this.registry.getSchema(id)) as unknown as AvroWriter);
      })();
      this.encoders.set(topic, encoder);
      encoder.catch(() => this.encoders.delete(topic));
    }
    return encoder;
  }
}
