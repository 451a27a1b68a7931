import { describe, expect, it } from 'vitest';
import { csvFields, parseImport } from '../src/blacklist/import-lines.ts';

const NOW = Date.parse('2026-12-01T00:00:00Z');

describe('parseImport', () => {
  it('reads a CSV by its header (any column order, other columns ignored), refusing bad lines by number, field and rule', () => {
    const csv = [
      'name,opted_out_at,phone',
      'Ann,2025-01-02T03:04:05Z,+421 905 123 456',
      'Bob,,00421905123457',
      '"Smith, Jo",,421905123458',
      'Cy,,12',
      'Di,last week,+421905123459',
      'Ed,2030-01-01T00:00:00Z,+421905123460',
      'Fe,,',
      '',
      'Ann again,,+421905123456',
    ].join('\r\n');
    const parsed = parseImport(csv, NOW);
    expect(parsed.lines).toEqual([
      { line: 2, phone: '00421905123456', opted_out_at: Date.parse('2025-01-02T03:04:05Z') },
      { line: 3, phone: '00421905123457', opted_out_at: null },
      { line: 4, phone: '00421905123458', opted_out_at: null },
    ]);
    expect(parsed.refused.map((r) => [r.line, r.field, r.rule])).toEqual([
      [5, 'phone', expect.any(String)], [6, 'opted_out_at', 'date_time'], [7, 'opted_out_at', 'not_in_future'], [8, 'phone', 'required'],
    ]);
    expect(parsed.duplicates).toBe(1);
  });

  it('refuses a CSV whose header names no phone column, at line 1', () => {
    expect(parseImport('number\n+421905123456\n', NOW).refused).toEqual([expect.objectContaining({ line: 1, field: 'header', rule: 'phone_column' })]);
  });

  it('reads JSON lines, refusing what is not an object with a phone', () => {
    const parsed = parseImport('{"phone":"+421905123456","opted_out_at":"2025-01-01T00:00:00+01:00"}\n[1]\n{"phone":1}\n{oops\n', NOW);
    expect(parsed.lines).toEqual([{ line: 1, phone: '00421905123456', opted_out_at: Date.parse('2024-12-31T23:00:00Z') }]);
    expect(parsed.refused.map((r) => [r.line, r.field, r.rule])).toEqual([[2, 'line', 'object'], [3, 'phone', 'required'], [4, 'line', 'json']]);
  });

  it('splits quoted CSV fields', () => {
    expect(csvFields('a,"b, c","d ""e"""')).toEqual(['a', 'b, c', 'd "e"']);
    expect(csvFields('"open')).toBeNull();
  });
});
