// Canonical phone numbers: "00" + country calling code + national number, digits only
// (e.g. 00421905123456), the format of the product page. Numbers are validated against
// libphonenumber's full ("max") metadata, so a number of the right length but in an unassigned
// range is refused: an invalid number is an error, never a guess.

import { parsePhoneNumberWithError, ParseError, validatePhoneNumberLength } from 'libphonenumber-js/max';

export type PhoneNumberErrorCode =
  | 'empty'
  | 'not_a_number'
  | 'national_format'
  | 'invalid_country_code'
  | 'too_short'
  | 'too_long'
  | 'invalid_length'
  | 'invalid';

export class PhoneNumberError extends Error {
  readonly code: PhoneNumberErrorCode;
  readonly input: string;

  constructor(code: PhoneNumberErrorCode, input: string, message: string) {
    super(message);
    this.name = 'PhoneNumberError';
    this.code = code;
    this.input = input;
  }
}

export type PhoneResult = { ok: true; phone: string } | { ok: false; error: PhoneNumberError };

// Separators people and gateways put in numbers: white space, dashes of any kind, brackets.
const SEPARATORS = /[\s\p{White_Space}\p{Pd}()[\]]/gu;

function fail(code: PhoneNumberErrorCode, input: string, problem: string): never {
  throw new PhoneNumberError(code, input, `invalid phone number ${JSON.stringify(input)}: ${problem}`);
}

/**
 * The international digits of a number (no "+", no "00"), from any accepted form:
 * "+421 905 123 456", "00421905123456", "421905123456" (a Sinch MSISDN), with separators.
 */
function internationalDigits(input: string): string {
  const compact = input.replace(SEPARATORS, '');
  if (compact === '') fail('empty', input, 'it is empty');
  let digits: string;
  if (compact.startsWith('+')) digits = compact.slice(1);
  else if (compact.startsWith('00')) digits = compact.slice(2);
  else digits = compact;
  if (digits === '') fail('not_a_number', input, 'it has no digits');
  if (!/^[0-9]+$/.test(digits)) fail('not_a_number', input, 'only digits, a leading + or 00, spaces, dashes and brackets are allowed');
  // Without a country code, a leading 0 is a national trunk prefix: the country would be a guess.
  if (digits.startsWith('0')) fail('national_format', input, 'it is in national format; give it with the country code (+421..., 00421... or 421...)');
  return digits;
}

const LENGTH_PROBLEMS: Record<string, [PhoneNumberErrorCode, string]> = {
  INVALID_COUNTRY: ['invalid_country_code', 'it does not start with a known country calling code'],
  NOT_A_NUMBER: ['not_a_number', 'it is not a phone number'],
  TOO_SHORT: ['too_short', 'it is too short for its country'],
  TOO_LONG: ['too_long', 'it is too long for its country'],
  INVALID_LENGTH: ['invalid_length', 'its length is not valid for its country'],
};

/** The canonical form of a phone number; throws PhoneNumberError naming the problem. */
export function canonicalPhone(input: string): string {
  const digits = internationalDigits(input);
  const international = `+${digits}`;
  // libphonenumber drops a trunk "0" written after the country code ("+44 (0)20 ..."), which
  // is unambiguous: no national number in those countries starts with it.
  let number;
  try {
    number = parsePhoneNumberWithError(international);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    const [code, problem] = LENGTH_PROBLEMS[error.message] ?? ['invalid', 'it is not a valid phone number'];
    fail(code, input, problem);
  }
  if (!number.isValid()) {
    const length = validatePhoneNumberLength(international);
    const [code, problem] = (length && LENGTH_PROBLEMS[length]) ?? [
      'invalid',
      `it is not a valid number for country code +${number.countryCallingCode}`,
    ];
    fail(code, input, problem);
  }
  return `00${number.number.slice(1)}`;
}

function attempt(canonical: (input: string) => string, input: string): PhoneResult {
  try {
    return { ok: true, phone: canonical(input) };
  } catch (error) {
    if (error instanceof PhoneNumberError) return { ok: false, error };
    throw error;
  }
}

/** `canonicalPhone` as a result instead of an exception. */
export function tryCanonicalPhone(input: string): PhoneResult {
  return attempt(canonicalPhone, input);
}

/** Short codes are 3-8 digits, written bare; "+" or "00" always means an international number. */
const SHORT_CODE = /^[0-9]{3,8}$/;

export function isShortCode(input: string): boolean {
  return SHORT_CODE.test(input.trim()) && !input.trim().startsWith('00');
}

/**
 * A dedicated number customers reply to: a short code (3-8 bare digits, returned as is) or a
 * phone number in canonical form. Throws PhoneNumberError otherwise.
 */
export function canonicalDedicatedNumber(input: string): string {
  if (isShortCode(input)) return input.trim();
  return canonicalPhone(input);
}

/** `canonicalDedicatedNumber` as a result instead of an exception. */
export function tryCanonicalDedicatedNumber(input: string): PhoneResult {
  return attempt(canonicalDedicatedNumber, input);
}
