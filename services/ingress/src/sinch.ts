import { parseRfc3339, tryCanonicalDedicatedNumber, tryCanonicalPhone, type PhoneResult } from '@optline/core';
import type { FieldError } from '@optline/http';
import type { InboundSms } from '@optline/schemas';

/**
 * A Sinch SMS inbound (MO) callback body of the kinds ingress accepts: the record's fields as
 * Sinch names them, with its times as RFC 3339 text and its optional fields possibly absent.
 */
export type SinchInboundCallback = Pick<InboundSms, 'type' | 'id' | 'from' | 'to' | 'body'>
  & Partial<Pick<InboundSms, 'operator_id' | 'client_reference' | 'udh'>>
  & { received_at: string; sent_at?: string | null };

/** The value of `sms.inbound.v1`. */
export type { InboundSms };

const optionalString = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;

/**
 * The route's JSON schema. Unknown fields are allowed (Sinch may add some); what optline keeps
 * is bounded. mo_media is refused before this schema runs (see routes.ts).
 */
export const SINCH_INBOUND_SCHEMA = {
  type: 'object',
  required: ['type', 'id', 'from', 'to', 'body', 'received_at'],
  properties: {
    type: { type: 'string', enum: ['mo_text', 'mo_binary'] },
    id: { type: 'string', minLength: 1, maxLength: 128 },
    from: { type: 'string', minLength: 1, maxLength: 32 },
    to: { type: 'string', minLength: 1, maxLength: 32 },
    body: { type: 'string', maxLength: 16_384 },
    received_at: { type: 'string', format: 'date-time' },
    sent_at: { type: ['string', 'null'], format: 'date-time' },
    operator_id: optionalString(32),
    client_reference: optionalString(2048),
    udh: { type: ['string', 'null'], maxLength: 512, pattern: '^([0-9A-Fa-f]{2})*$' },
  },
} as const;

/** Sinch's MMS callback: its body is an object of media links, which optline does not track. */
export const UNSUPPORTED_TYPES: ReadonlySet<unknown> = new Set(['mo_media']);

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function phoneField(field: string, rule: string, value: string, canonical: (s: string) => PhoneResult, errors: FieldError[]): string {
  const result = canonical(value);
  if (result.ok) return result.phone;
  const alternative = rule === 'dedicated_number' ? ' (a short code of 3-8 digits is also accepted)' : '';
  errors.push({ field, rule, message: `${field}: ${result.error.message}${alternative}` });
  return value;
}

/** Epoch ms of an RFC 3339 field, or null with the field's error added (rule `format`, as the schema's). */
function timestampField(field: string, value: string, errors: FieldError[]): number | null {
  const result = parseRfc3339(value);
  if (result.ok) return result.ms;
  errors.push({ field, rule: 'format', message: `${field}: ${result.reason}` });
  return null;
}

export type MappingResult = { ok: true; sms: InboundSms } | { ok: false; fields: FieldError[] };

/**
 * A schema-valid callback as the record to publish: phones canonical, times in epoch millis.
 * Every broken field is reported, not only the first.
 */
export function toInboundSms(callback: SinchInboundCallback, ingestedAt: number): MappingResult {
  const fields: FieldError[] = [];
  const from = phoneField('from', 'phone_number', callback.from, tryCanonicalPhone, fields);
  const to = phoneField('to', 'dedicated_number', callback.to, tryCanonicalDedicatedNumber, fields);
  const receivedAt = timestampField('received_at', callback.received_at, fields);
  const sentAt = callback.sent_at ? timestampField('sent_at', callback.sent_at, fields) : null;
  if (callback.type === 'mo_binary' && !BASE64.test(callback.body)) {
    fields.push({ field: 'body', rule: 'base64', message: 'body of a mo_binary message must be Base64' });
  }
  if (fields.length > 0) return { ok: false, fields };
  return {
    ok: true,
    sms: {
      id: callback.id,
      type: callback.type,
      from,
      to,
      body: callback.body,
      received_at: receivedAt!,
      sent_at: sentAt,
      operator_id: callback.operator_id ?? null,
      client_reference: callback.client_reference ?? null,
      udh: callback.udh ?? null,
      ingested_at: ingestedAt,
      source: 'sinch',
    },
  };
}
