import { describe, expect, it } from 'vitest';
import { avroType, schemas, type AvroField } from '../src/index.ts';

// SPEC.md fixes these field names; analytics consumers read them by name.
const SPEC_FIELDS: Record<string, string[]> = {
  CustomerProfile: ['project', 'customer_id', 'phone', 'updated_at', 'deleted'],
  SmsSent: ['project', 'customer_id', 'phone', 'sender', 'message_id', 'sent_at'],
  BlacklistEntry: ['project', 'phone', 'status', 'keyword', 'message_id', 'blocked_at', 'updated_at'],
  CampaignEvent: ['event_id', 'project', 'customer_id', 'status', 'action_type', 'timestamp', 'message', 'sender', 'recipient'],
  ConsentEvent: ['event_id', 'project', 'customer_id', 'timestamp', 'imported_timestamp', 'action', 'source', 'category', 'identification', 'identification_type', 'message'],
  InboundSms: ['id', 'type', 'from', 'to', 'body', 'received_at', 'sent_at', 'operator_id', 'client_reference', 'udh'],
};

function allFields(schema: unknown): AvroField[] {
  if (Array.isArray(schema)) return schema.flatMap(allFields);
  if (schema && typeof schema === 'object') {
    const s = schema as { type?: unknown; fields?: AvroField[]; items?: unknown };
    const own = s.fields ?? [];
    return [...own, ...own.flatMap((f) => allFields(f.type)), ...(s.items ? allFields(s.items) : [])];
  }
  return [];
}

describe('Avro schemas', () => {
  it.each(Object.keys(SPEC_FIELDS))('%s has exactly the fields SPEC.md names', (name) => {
    const names = schemas[name]!.fields.map((f) => f.name);
    for (const field of SPEC_FIELDS[name]!) expect(names).toContain(field);
  });

  it.each(Object.keys(schemas))('%s documents every field and parses', (name) => {
    const s = schemas[name]!;
    expect(s.doc).toBeTruthy();
    for (const field of allFields(s)) expect(field.doc, `${name}.${field.name}`).toBeTruthy();
    expect(() => avroType(name)).not.toThrow();
  });

  it('timestamps are long timestamp-millis', () => {
    const t = schemas.ConsentEvent!.fields.find((f) => f.name === 'timestamp')!;
    expect(t.type).toEqual({ type: 'long', logicalType: 'timestamp-millis' });
  });
});
