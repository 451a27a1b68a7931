import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { avroType, schemas, type AvroField } from '../src/index.ts';

// SPEC.md fixes these field names; analytics consumers read them by name.
const SPEC_FIELDS: Record<string, string[]> = {
  CustomerProfile: ['project', 'customer_id', 'phone', 'updated_at', 'deleted'],
  SmsSent: ['project', 'customer_id', 'phone', 'sender', 'message_id', 'sent_at'],
  BlacklistEntry: ['project', 'phone', 'status', 'keyword', 'message_id', 'blocked_at', 'updated_at', 'source', 'actor', 'reason'],
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

describe('BlacklistEntry', () => {
  // The schema registry holds sms.blacklist.v1 at BACKWARD: the new schema must read every record
  // the first one wrote. Those are keyword opt-outs, so they read as source keyword, no actor.
  it('reads records of its first version (BACKWARD), as keyword entries', () => {
    const v1 = avro.Type.forSchema(JSON.parse(readFileSync(new URL('./fixtures/BlacklistEntry.v1.avsc', import.meta.url), 'utf8')) as avro.Schema);
    const now = avroType('BlacklistEntry');
    const old = { project: 'p', phone: '00421905123456', status: 'BLOCKED', keyword: 'stop', message_id: 'm1', blocked_at: 1, updated_at: 2 };
    const read = now.fromBuffer(v1.toBuffer(old), now.createResolver(v1)) as Record<string, unknown>;
    expect({ ...read }).toEqual({ ...old, source: 'keyword', actor: null, reason: null });
  });

  it('carries a manual block\'s source, actor and reason', () => {
    const type = avroType('BlacklistEntry');
    const manual = { project: 'p', phone: '00421905123456', status: 'BLOCKED', keyword: '', message_id: '', blocked_at: 1, updated_at: 1, source: 'manual', actor: 'agent@example.com', reason: 'asked by e-mail' };
    expect({ ...(type.fromBuffer(type.toBuffer(manual)) as object) }).toEqual(manual);
  });
});
