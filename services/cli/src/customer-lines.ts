// One line of a `optline customers import` file: a JSON object describing a profile, checked
// whole (every broken field named) and turned into the CustomerProfile record of customers.v1.
import { tryCanonicalPhone } from '@optline/core';

export interface CustomerProfileRecord {
  project: string;
  customer_id: string;
  /** Canonical 00 form, or null when the profile has no phone. */
  phone: string | null;
  updated_at: number;
  deleted: boolean;
}

export interface LineError {
  field: string;
  rule: string;
  message: string;
}

export type LineResult = { ok: true; profile: CustomerProfileRecord } | { ok: false; errors: LineError[] };

const FIELDS = new Set(['project', 'customer_id', 'phone', 'updated_at', 'deleted']);
const MAX_ID = 256;

function requiredString(doc: Record<string, unknown>, field: string, errors: LineError[]): string | null {
  const value = doc[field];
  if (value === undefined || value === null) errors.push({ field, rule: 'required', message: `${field} is required` });
  else if (typeof value !== 'string' || value.trim() === '') errors.push({ field, rule: 'type', message: `${field} must be a non-empty string` });
  else if (value.length > MAX_ID) errors.push({ field, rule: 'max_length', message: `${field} must be at most ${MAX_ID} characters` });
  else return value;
  return null;
}

/** Epoch milliseconds, or an ISO 8601 date-time string; absent means `now`. */
function timestamp(value: unknown, now: number, errors: LineError[]): number | null {
  if (value === undefined || value === null) return now;
  const ms = typeof value === 'number' ? value : typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (Number.isSafeInteger(ms) && ms >= 0) return ms;
  errors.push({ field: 'updated_at', rule: 'timestamp', message: 'updated_at must be epoch milliseconds or an ISO 8601 date-time (e.g. 2024-05-01T12:00:00Z)' });
  return null;
}

/** Parses one non-blank line; `now` is the updated_at of profiles that give none. */
export function parseCustomerLine(line: string, now: number): LineResult {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch (error) {
    return { ok: false, errors: [{ field: '', rule: 'json', message: `not valid JSON: ${(error as Error).message}` }] };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, errors: [{ field: '', rule: 'type', message: 'each line must be a JSON object' }] };
  }
  const record = doc as Record<string, unknown>;
  const errors: LineError[] = [];
  for (const key of Object.keys(record)) {
    if (!FIELDS.has(key)) errors.push({ field: key, rule: 'unknown_field', message: `unknown field ${JSON.stringify(key)} (known: ${[...FIELDS].join(', ')})` });
  }
  const project = requiredString(record, 'project', errors);
  const customerId = requiredString(record, 'customer_id', errors);
  let phone: string | null = null;
  if (record.phone !== undefined && record.phone !== null) {
    if (typeof record.phone !== 'string') {
      errors.push({ field: 'phone', rule: 'type', message: 'phone must be a string or null' });
    } else {
      const result = tryCanonicalPhone(record.phone);
      if (result.ok) phone = result.phone;
      else errors.push({ field: 'phone', rule: result.error.code, message: result.error.message });
    }
  }
  const updatedAt = timestamp(record.updated_at, now, errors);
  const deleted = record.deleted ?? false;
  if (typeof deleted !== 'boolean') errors.push({ field: 'deleted', rule: 'type', message: 'deleted must be true or false' });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, profile: { project: project!, customer_id: customerId!, phone, updated_at: updatedAt!, deleted: deleted as boolean } };
}
