import { describe, expect, it } from 'vitest';
import { toInboundSms, type SinchInboundCallback } from '../src/sinch.ts';

const callback: SinchInboundCallback = {
  type: 'mo_text',
  id: '01FC66621VHDBN119Z8PMV1QPQ',
  from: '421905123456',
  to: '+421 911 000 111',
  body: 'STOP',
  received_at: '2025-06-15T09:34:28.542Z',
};

describe('Sinch MO callback -> InboundSms', () => {
  it('canonicalises both numbers, converts times to epoch millis, fills defaults', () => {
    expect(toInboundSms(callback, 1_750_000_000_000)).toEqual({
      ok: true,
      sms: {
        id: '01FC66621VHDBN119Z8PMV1QPQ',
        type: 'mo_text',
        from: '00421905123456',
        to: '00421911000111',
        body: 'STOP',
        received_at: Date.UTC(2025, 5, 15, 9, 34, 28, 542),
        sent_at: null,
        operator_id: null,
        client_reference: null,
        udh: null,
        ingested_at: 1_750_000_000_000,
        source: 'sinch',
      },
    });
  });

  it('keeps optional fields and a short code recipient; mo_binary keeps its Base64 body and udh', () => {
    const result = toInboundSms(
      { ...callback, type: 'mo_binary', to: '12345', body: 'SGVsbG8=', udh: '050003CC0201', operator_id: '23103', client_reference: 'ref', sent_at: '2025-06-15T11:34:27+02:00' },
      1,
    );
    expect(result.ok && result.sms).toMatchObject({ type: 'mo_binary', to: '12345', body: 'SGVsbG8=', udh: '050003CC0201', operator_id: '23103', client_reference: 'ref', sent_at: Date.UTC(2025, 5, 15, 9, 34, 27) });
  });

  it('reports every broken field with its rule', () => {
    const result = toInboundSms({ ...callback, type: 'mo_binary', from: '0905123456', to: '+99912', body: 'not base64!' }, 1);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.fields.map((f) => [f.field, f.rule])).toEqual([
      ['from', 'phone_number'],
      ['to', 'dedicated_number'],
      ['body', 'base64'],
    ]);
    expect(result.fields[0]!.message).toMatch(/^from: invalid phone number "0905123456": it is in national format/);
    expect(result.fields[1]!.message).toMatch(/^to: invalid phone number "\+99912": .* \(a short code of 3-8 digits is also accepted\)$/);
  });
});
