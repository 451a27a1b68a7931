import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signSinchCallback, sinchSignatureProblem, SINCH_SIGNATURE_HEADERS as H, type SinchAlgorithm } from '../src/signature.ts';

const secret = 'sinch-secret';
const rawBody = Buffer.from('{"type":"mo_text","id":"01F","body":"STOP ✋"}');
const nowMs = 1_750_000_000_000;
const timestampSeconds = nowMs / 1000 - 30;
const check = (headers: Record<string, string | undefined>, body = rawBody, maxAgeMs = 300_000) => sinchSignatureProblem({ secret, rawBody: body, headers, nowMs, maxAgeMs });

describe('Sinch HMAC signature', () => {
  it('is Base64(HMAC(secret, body + "." + nonce + "." + timestamp)), computed independently here', () => {
    const headers = signSinchCallback({ secret, rawBody, nonce: 'n0nce', timestampSeconds });
    const expected = createHmac('sha256', secret).update(`${rawBody.toString()}.n0nce.${timestampSeconds}`).digest('base64');
    expect(headers).toEqual({ [H.signature]: expected, [H.timestamp]: String(timestampSeconds), [H.nonce]: 'n0nce', [H.algorithm]: 'HmacSHA256' });
    expect(check(headers)).toBeNull();
  });

  it.each<SinchAlgorithm>(['HmacSHA256', 'HmacSHA384', 'HmacSHA512'])('accepts %s (algorithm name case-insensitive)', (algorithm) => {
    const headers = signSinchCallback({ secret, rawBody, nonce: 'n', timestampSeconds, algorithm });
    expect(check(headers)).toBeNull();
    expect(check({ ...headers, [H.algorithm]: algorithm.toLowerCase() })).toBeNull();
  });

  it('refuses a wrong secret, a changed body, nonce or timestamp, and a truncated signature', () => {
    const headers = signSinchCallback({ secret, rawBody, nonce: 'n', timestampSeconds });
    const other = signSinchCallback({ secret: 'other', rawBody, nonce: 'n', timestampSeconds });
    expect(check(other)).toBe('the signature does not match the body');
    expect(check(headers, Buffer.from(rawBody.toString().replace('STOP', 'STAP')))).toBe('the signature does not match the body');
    expect(check({ ...headers, [H.nonce]: 'm' })).toBe('the signature does not match the body');
    expect(check({ ...headers, [H.timestamp]: String(timestampSeconds + 1) })).toBe('the signature does not match the body');
    expect(check({ ...headers, [H.signature]: headers[H.signature]!.slice(0, 20) })).toBe('the signature does not match the body');
    expect(check({ ...headers, [H.algorithm]: 'HmacSHA384' })).toBe('the signature does not match the body');
  });

  it('refuses stale and future timestamps outside the window', () => {
    const stale = signSinchCallback({ secret, rawBody, nonce: 'n', timestampSeconds: nowMs / 1000 - 301 });
    expect(check(stale)).toBe('the signature timestamp is 301 s away from now (at most 300 s allowed)');
    expect(check(stale, rawBody, 400_000)).toBeNull();
    const future = signSinchCallback({ secret, rawBody, nonce: 'n', timestampSeconds: nowMs / 1000 + 600 });
    expect(check(future)).toMatch(/600 s away/);
  });

  it('names missing headers, an unknown algorithm and a malformed timestamp', () => {
    const headers = signSinchCallback({ secret, rawBody, nonce: 'n', timestampSeconds });
    expect(check({})).toBe(`missing signature headers ${Object.values(H).join(', ')}`);
    expect(check({ ...headers, [H.nonce]: undefined })).toBe(`missing signature header ${H.nonce}`);
    expect(check({ ...headers, [H.algorithm]: 'HmacMD5' })).toMatch(/'HmacMD5' is not one of HmacSHA256, HmacSHA384, HmacSHA512/);
    expect(check({ ...headers, [H.timestamp]: '2025-01-01T00:00:00Z' })).toBe(`${H.timestamp} must be Unix seconds`);
  });
});
