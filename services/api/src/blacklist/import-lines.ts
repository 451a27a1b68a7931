// The lines of an imported opt-out list, checked one by one: a CSV with a `phone` column and an
// optional `opted_out_at` column (any order, other columns ignored), or JSON lines
// `{"phone": ..., "opted_out_at"?: ...}`. A bad line is refused with its number, field and rule;
// the good ones go on. Pure: the route sends what this returns.

import { parseRfc3339, tryCanonicalPhone } from '@optline/core';

export interface ImportLine {
  line: number;
  phone: string;
  opted_out_at: number | null;
}

export interface RefusedLine {
  line: number;
  field: string;
  rule: string;
  message: string;
}

export interface ParsedImport {
  lines: ImportLine[];
  refused: RefusedLine[];
  /** Lines naming a phone an earlier line of the same file named (kept once). */
  duplicates: number;
}

export type ImportFormat = 'csv' | 'jsonl';

/** One CSV record's fields (RFC 4180 quoting on one line: a quoted field may hold commas and "" for a quote). */
export function csvFields(text: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) return null;
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === text.length) return fields;
      if (text[i] !== ',') return null;
      i++;
    } else {
      const comma = text.indexOf(',', i);
      fields.push((comma < 0 ? text.slice(i) : text.slice(i, comma)).trim());
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}

function checkLine(line: number, phoneInput: unknown, optedOutInput: unknown, now: number): ImportLine | RefusedLine {
  if (typeof phoneInput !== 'string' || phoneInput.trim() === '') return { line, field: 'phone', rule: 'required', message: `line ${line}: phone is required` };
  const phone = tryCanonicalPhone(phoneInput);
  if (!phone.ok) return { line, field: 'phone', rule: phone.error.code, message: `line ${line}: phone: ${phone.error.message}` };
  let optedOutAt: number | null = null;
  if (optedOutInput !== undefined && optedOutInput !== null && optedOutInput !== '') {
    if (typeof optedOutInput !== 'string') return { line, field: 'opted_out_at', rule: 'date_time', message: `line ${line}: opted_out_at must be an RFC 3339 date-time string` };
    const at = parseRfc3339(optedOutInput);
    if (!at.ok) return { line, field: 'opted_out_at', rule: 'date_time', message: `line ${line}: opted_out_at: ${at.reason}` };
    if (at.ms > now) return { line, field: 'opted_out_at', rule: 'not_in_future', message: `line ${line}: opted_out_at ${optedOutInput} is in the future` };
    optedOutAt = at.ms;
  }
  return { line, phone: phone.phone, opted_out_at: optedOutAt };
}

/** JSON lines when the first non-blank character is `{`, else CSV. */
export function detectFormat(text: string): ImportFormat {
  return /^\s*\{/.test(text) ? 'jsonl' : 'csv';
}

export function parseImport(text: string, now: number, format: ImportFormat = detectFormat(text)): ParsedImport {
  const rows = text.split(/\r?\n/);
  const result: ParsedImport = { lines: [], refused: [], duplicates: 0 };
  const seen = new Set<string>();
  const keep = (checked: ImportLine | RefusedLine) => {
    if ('field' in checked) result.refused.push(checked);
    else if (seen.has(checked.phone)) result.duplicates++;
    else {
      seen.add(checked.phone);
      result.lines.push(checked);
    }
  };
  let phoneColumn = -1;
  let optedOutColumn = -1;
  for (let i = 0; i < rows.length; i++) {
    const line = i + 1;
    const row = rows[i]!;
    if (row.trim() === '') continue;
    if (format === 'jsonl') {
      let value: unknown;
      try {
        value = JSON.parse(row);
      } catch (error) {
        result.refused.push({ line, field: 'line', rule: 'json', message: `line ${line}: not JSON: ${(error as Error).message}` });
        continue;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        result.refused.push({ line, field: 'line', rule: 'object', message: `line ${line}: a JSON object {"phone", "opted_out_at"?} is expected` });
        continue;
      }
      const o = value as Record<string, unknown>;
      keep(checkLine(line, o.phone, o.opted_out_at, now));
      continue;
    }
    const fields = csvFields(row);
    if (fields === null) {
      result.refused.push({ line, field: 'line', rule: 'csv', message: `line ${line}: unbalanced quotes` });
      continue;
    }
    if (phoneColumn < 0) {
      // The first line is the header.
      const names = fields.map((f) => f.toLowerCase());
      phoneColumn = names.indexOf('phone');
      optedOutColumn = names.indexOf('opted_out_at');
      if (phoneColumn < 0) {
        result.refused.push({ line, field: 'header', rule: 'phone_column', message: `line ${line}: the header names no "phone" column (a CSV starts with a header line, e.g. phone,opted_out_at)` });
        return result;
      }
      continue;
    }
    keep(checkLine(line, fields[phoneColumn], optedOutColumn < 0 ? undefined : fields[optedOutColumn], now));
  }
  return result;
}
