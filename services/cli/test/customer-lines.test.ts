import { describe, expect, it } from 'vitest';
import { parseCustomerLine } from '../src/customer-lines.ts';

const NOW = 1_700_000_000_000;

describe('parseCustomerLine', () => {
  it('turns a good line into a CustomerProfile record with a canonical phone and defaults', () => {
    expect(parseCustomerLine('{"project":"shop","customer_id":"c1","phone":"+421 905 123 456"}', NOW)).toEqual({
      ok: true, profile: { project: 'shop', customer_id: 'c1', phone: '00421905123456', updated_at: NOW, deleted: false },
    });
    expect(parseCustomerLine('{"project":"shop","customer_id":"c2","phone":null,"updated_at":"2024-05-01T12:00:00Z","deleted":true}', NOW)).toEqual({
      ok: true, profile: { project: 'shop', customer_id: 'c2', phone: null, updated_at: Date.parse('2024-05-01T12:00:00Z'), deleted: true },
    });
  });

  it('names every broken field of a line with its rule', () => {
    const result = parseCustomerLine('{"customer_id":"","phone":"0905 123 456","updated_at":"yesterday","deleted":"no","email":"a@b"}', NOW);
    expect(result.ok).toBe(false);
    const rules = !result.ok && Object.fromEntries(result.errors.map((e) => [e.field, e.rule]));
    expect(rules).toEqual({ email: 'unknown_field', project: 'required', customer_id: 'type', phone: 'national_format', updated_at: 'timestamp', deleted: 'type' });
  });

  it('refuses a line that is not JSON or not an object', () => {
    expect(parseCustomerLine('{"project": "shop",', NOW)).toMatchObject({ ok: false, errors: [{ rule: 'json' }] });
    expect(parseCustomerLine('["shop","c1"]', NOW)).toMatchObject({ ok: false, errors: [{ rule: 'type' }] });
  });
});
