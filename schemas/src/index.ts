import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';

export type AvroSchema = { type: 'record'; name: string; namespace?: string; doc?: string; fields: AvroField[] };
export type AvroField = { name: string; type: unknown; doc?: string; default?: unknown };

const folder = join(dirname(fileURLToPath(import.meta.url)), '..', 'avro');

/** Every Avro schema of schemas/avro, by record name (InboundSms, ConsentEvent, …). */
export const schemas: Readonly<Record<string, AvroSchema>> = Object.fromEntries(
  readdirSync(folder)
    .filter((f) => f.endsWith('.avsc'))
    .map((f) => [f.replace(/\.avsc$/, ''), JSON.parse(readFileSync(join(folder, f), 'utf8')) as AvroSchema]),
);

export function schema(name: string): AvroSchema {
  const s = schemas[name];
  if (!s) throw new Error(`no Avro schema named ${name} in schemas/avro`);
  return s;
}

/** A parsed avsc type, for local validation and encoding without a registry. */
export function avroType(name: string): avro.Type {
  return avro.Type.forSchema(schema(name) as avro.Schema);
}
export type * from './records.ts';
