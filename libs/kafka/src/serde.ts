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

export type Compatibility = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FULL' | 'NONE';

/**
 * Avro values in the Confluent wire format. Each topic's schema is registered under
 * `<topic>-value` with BACKWARD compatibility before the first write, so a producer can never
 * publish a schema that existing consumers cannot read.
 */
export class AvroSerde {
  readonly registry: SchemaRegistry;
  private readonly ids = new Map<string, number>();

  constructor(
    readonly registryUrl: string,
    private readonly known: Topics = TOPICS,
  ) {
    this.registry = new SchemaRegistry({ host: registryUrl });
  }

  /** Sets the subject's compatibility, then registers (or finds) the schema; returns its id. */
  async register(subject: string, schema: object, compatibility: Compatibility = 'BACKWARD'): Promise<number> {
    const config = await fetch(`${this.registryUrl}/config/${encodeURIComponent(subject)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility }),
    });
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
    for (const spec of specs) {
      if (!spec.valueSchema) continue;
      this.ids.set(spec.name, await this.register(`${spec.name}-value`, loadSchema(spec.valueSchema)));
    }
  }

  private async idFor(topic: string): Promise<number> {
    let id = this.ids.get(topic);
    if (id === undefined) {
      const spec = Object.values(this.known).find((t: TopicSpec) => t.name === topic);
      if (!spec?.valueSchema) throw new Error(`topic ${topic} has no Avro value schema`);
      id = await this.register(`${topic}-value`, loadSchema(spec.valueSchema));
      this.ids.set(topic, id);
    }
    return id;
  }

  async encode(topic: string, value: unknown): Promise<Buffer> {
    return this.registry.encode(await this.idFor(topic), value);
  }

  async decode<T>(buffer: Buffer): Promise<T> {
    return (await this.registry.decode(buffer)) as T;
  }
}
