import { createHmac, timingSafeEqual } from 'node:crypto';

// Sinch's signed callbacks: signature = Base64(HMAC(secret, rawBody + "." + nonce + "." + timestamp)),
// the timestamp in Unix seconds, the algorithm named in its own header.
export const SINCH_SIGNATURE_HEADERS = {
  signature: 'x-sinch-webhook-signature',
  timestamp: 'x-sinch-webhook-signature-timestamp',
  nonce: 'x-sinch-webhook-signature-nonce',
  algorithm: 'x-sinch-webhook-signature-algorithm',
} as const;

const ALGORITHMS: Record<string, string> = { hmacsha256: 'sha256', hmacsha384: 'sha384', hmacsha512: 'sha512' };

export type SinchAlgorithm = 'HmacSHA256' | 'HmacSHA384' | 'HmacSHA512';

type Headers = Record<string, string | string[] | undefined>;

export interface SignatureInput {
  secret: string;
  rawBody: Buffer;
  headers: Headers;
  nowMs: number;
  /** Largest distance between the signed timestamp and now, either way. */
  maxAgeMs: number;
}

function digest(algorithm: string, secret: string, rawBody: Buffer, nonce: string, timestamp: string): Buffer {
  return createHmac(algorithm, secret).update(rawBody).update(`.${nonce}.${timestamp}`).digest();
}

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Why the request's Sinch signature does not hold, or null when it does. */
export function sinchSignatureProblem(input: SignatureInput): string | null {
  const values = Object.fromEntries(Object.entries(SINCH_SIGNATURE_HEADERS).map(([k, name]) => [k, header(input.headers, name)]));
  const missing = Object.values(SINCH_SIGNATURE_HEADERS).filter((name) => !header(input.headers, name));
  if (missing.length > 0) return `missing signature header${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  const { signature, timestamp, nonce, algorithm } = values as Record<keyof typeof SINCH_SIGNATURE_HEADERS, string>;
  const hash = ALGORITHMS[algorithm.toLowerCase()];
  if (!hash) return `${SINCH_SIGNATURE_HEADERS.algorithm} '${algorithm}' is not one of HmacSHA256, HmacSHA384, HmacSHA512`;
  if (!/^\d{1,12}$/.test(timestamp)) return `${SINCH_SIGNATURE_HEADERS.timestamp} must be Unix seconds`;
  const ageMs = Math.abs(input.nowMs - Number(timestamp) * 1000);
  if (ageMs > input.maxAgeMs) return `the signature timestamp is ${Math.round(ageMs / 1000)} s away from now (at most ${input.maxAgeMs / 1000} s allowed)`;
  const expected = digest(hash, input.secret, input.rawBody, nonce, timestamp);
  const given = Buffer.from(signature, 'base64');
  // Equal lengths first: timingSafeEqual throws otherwise, and a length says nothing secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'the signature does not match the body';
  return null;
}

export interface SignOptions {
  secret: string;
  rawBody: Buffer | string;
  nonce: string;
  timestampSeconds: number;
  algorithm?: SinchAlgorithm;
}

/** The headers Sinch would send with a body (for tests, benches and local tools). */
export function signSinchCallback(options: SignOptions): Record<string, string> {
  const algorithm = options.algorithm ?? 'HmacSHA256';
  const timestamp = String(options.timestampSeconds);
  const raw = Buffer.isBuffer(options.rawBody) ? options.rawBody : Buffer.from(options.rawBody);
  return {
    [SINCH_SIGNATURE_HEADERS.signature]: digest(ALGORITHMS[algorithm.toLowerCase()]!, options.secret, raw, options.nonce, timestamp).toString('base64'),
    [SINCH_SIGNATURE_HEADERS.timestamp]: timestamp,
    [SINCH_SIGNATURE_HEADERS.nonce]: options.nonce,
    [SINCH_SIGNATURE_HEADERS.algorithm]: algorithm,
  };
}
