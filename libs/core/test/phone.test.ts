import { describe, expect, it } from 'vitest';
import { canonicalDedicatedNumber, canonicalPhone, PhoneNumberError, tryCanonicalPhone } from '@optline/core';

describe('canonicalPhone', () => {
  it.each([
    ['+421905123456', '00421905123456'], // SK mobile, E.164
    ['421905123456', '00421905123456'], // Sinch MSISDN: no plus
    ['00421905123456', '00421905123456'], // the product page's own format
    ['+421 905 123 456', '00421905123456'],
    ['+421-905-123-456', '00421905123456'],
    ['+421\u2013905\u2013123\u2013456', '00421905123456'], // en dashes
    ['+421\u00a0905\u00a0123\u00a0456', '00421905123456'], // non-breaking spaces
    ['+1 (202) 555-0123', '0012025550123'], // US
    ['12025550123', '0012025550123'],
    ['+44 7911 123456', '00447911123456'], // GB mobile
    ['+44 20 7946 0958', '00442079460958'], // GB London
    ['+44 (0)20 7946 0958', '00442079460958'], // the "(0)" trunk prefix habit
    ['+49 151 12345678', '004915112345678'], // DE mobile
    ['0049 30 123456', '004930123456'], // DE Berlin
    ['+33 6 12 34 56 78', '0033612345678'], // FR mobile
    ['+39 06 1234 5678', '00390612345678'], // IT keeps the leading 0 of its national number
  ])('%j -> %s', (input, canonical) => {
    expect(canonicalPhone(input)).toBe(canonical);
  });

  it.each([
    ['', 'empty'],
    ['  ', 'empty'],
    ['+', 'not_a_number'],
    ['abc', 'not_a_number'],
    ['+421 905 123 456 ext 5', 'not_a_number'],
    ['++421905123456', 'not_a_number'],
    ['0905123456', 'national_format'], // no country code: the country would be a guess
    ['+999123456', 'invalid_country_code'],
    ['+4219051', 'too_short'],
    ['+42190512345678', 'too_long'],
    ['+1 202 555 01234', 'too_long'],
    ['+421 905 12345', 'invalid_length'],
    ['+1 800 123 4567', 'invalid'], // right length, but NANP exchanges never start with 1
    ['+44 20 7946 095', 'invalid'],
  ])('%j is refused with code %s', (input, code) => {
    let error: unknown;
    try {
      canonicalPhone(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PhoneNumberError);
    expect((error as PhoneNumberError).code).toBe(code);
    expect((error as PhoneNumberError).message).toContain(JSON.stringify(input));
  });

  it('offers a result instead of an exception', () => {
    expect(tryCanonicalPhone('+421905123456')).toEqual({ ok: true, phone: '00421905123456' });
    const result = tryCanonicalPhone('0905123456');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/national format.*country code/);
  });
});

describe('canonicalDedicatedNumber', () => {
  it('keeps short codes of 3-8 bare digits as they are', () => {
    expect(canonicalDedicatedNumber('12345')).toBe('12345');
    expect(canonicalDedicatedNumber(' 8080 ')).toBe('8080');
    expect(canonicalDedicatedNumber('123')).toBe('123');
    expect(canonicalDedicatedNumber('12345678')).toBe('12345678');
  });

  it('canonicalises long numbers like any phone', () => {
    expect(canonicalDedicatedNumber('+421 905 123 456')).toBe('00421905123456');
    expect(canonicalDedicatedNumber('447911123456')).toBe('00447911123456');
  });

  it('refuses what is neither', () => {
    for (const input of ['12', '123456789', '00123', 'SHORT', '+12345']) {
      expect(() => canonicalDedicatedNumber(input), input).toThrow(PhoneNumberError);
    }
  });
});
