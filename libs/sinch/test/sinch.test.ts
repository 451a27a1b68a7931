import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backoffMs, parseRetryAfter, SinchClient, SinchSandbox, type SendTextBatch } from '../src/index.ts';

const PLAN = 'plan-1';
const TOKEN = 'token-1';
let sandbox: SinchSandbox;
let url: string;

beforeEach(async () => {
  sandbox = new SinchSandbox({ servicePlanId: PLAN, apiToken: TOKEN });
  url = await sandbox.start();
});
afterEach(() => sandbox.stop());

const client = (timeoutMs = 2000) => new SinchClient({ apiUrl: url, servicePlanId: PLAN, apiToken: TOKEN, timeoutMs, retry: { initialMs: 20, maxMs: 100 } });
const batch = (ref: string): SendTextBatch & { client_reference: string } => ({ from: '12345', to: ['421905123456'], body: 'You are unsubscribed.', client_reference: ref });
const forever = () => ({ giveUpAt: Date.now() + 60_000, lookUpFirst: false });

describe('Sinch sandbox', () => {
  it('answers a send with the batch in Sinch shape and lists it by client_reference', async () => {
    const res = await fetch(`${url}/xms/v1/${PLAN}/batches`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(batch('ref-a')),
    });
    expect(res.status).toBe(201);
    const sent = (await res.json()) as { id: string };
    expect(sent).toMatchObject({ from: '12345', to: ['421905123456'], body: 'You are unsubscribed.', type: 'mt_text', canceled: false, client_reference: 'ref-a' });
    expect(typeof sent.id).toBe('string');
    const list = await (await fetch(`${url}/xms/v1/${PLAN}/batches?client_reference=ref-a`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    expect(list).toMatchObject({ count: 1, page: 0, batches: [{ id: sent.id }] });
    expect(sandbox.count('ref-a')).toBe(1);
  });

  it('refuses a wrong token (401), another plan (403) and a bad batch (400) with Sinch error bodies', async () => {
    const post = (path: string, token: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    expect((await post(`/xms/v1/${PLAN}/batches`, 'wrong', batch('x'))).status).toBe(401);
    expect((await post('/xms/v1/other/batches', TOKEN, batch('x'))).status).toBe(403);
    const bad = await post(`/xms/v1/${PLAN}/batches`, TOKEN, { from: '1', to: [], body: 'x' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'syntax_invalid_parameter_format', text: expect.stringContaining('to') });
    expect(sandbox.batches).toHaveLength(0);
  });
});

describe('SinchClient.deliver', () => {
  it('retries a 500 and sends once it answers', async () => {
    sandbox.failWith({ kind: 'status', status: 500, times: 2 });
    const r = await client().deliver(batch('r500'), forever());
    expect(r).toMatchObject({ kind: 'sent', foundByLookup: false });
    expect(sandbox.calls.posts).toBe(3);
    expect(sandbox.count('r500')).toBe(1);
  });

  it('honours Retry-After on 429', async () => {
    sandbox.failWith({ kind: 'status', status: 429, retryAfterSeconds: 1, times: 1 });
    const t0 = Date.now();
    const r = await client().deliver(batch('r429'), forever());
    expect(r.kind).toBe('sent');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(sandbox.count('r429')).toBe(1);
  });

  it('accepted but the answer dropped: finds the batch by client_reference instead of sending again', async () => {
    sandbox.failWith({ kind: 'drop_response', times: 1 });
    const r = await client().deliver(batch('rdrop'), forever());
    expect(r).toMatchObject({ kind: 'sent', foundByLookup: true });
    expect(sandbox.count('rdrop')).toBe(1);
    expect(sandbox.calls.posts).toBe(1);
  });

  it('a slow answer past the timeout is looked up, not sent twice', async () => {
    sandbox.failWith({ kind: 'slow', ms: 500, times: 1 });
    const r = await client(200).deliver(batch('rslow'), forever());
    expect(r).toMatchObject({ kind: 'sent', foundByLookup: true });
    expect(r.kind).toBe('sent');
    expect(sandbox.count('rslow')).toBe(1);
  });

  it('a connection reset before acceptance sends again, once', async () => {
    sandbox.failWith({ kind: 'reset', times: 1 });
    const r = await client().deliver(batch('rreset'), forever());
    expect(r).toMatchObject({ kind: 'sent', foundByLookup: false });
    expect(sandbox.count('rreset')).toBe(1);
  });

  it('a 4xx is final, with the reason', async () => {
    sandbox.failWith({ kind: 'status', status: 400 });
    const r = await client().deliver(batch('r400'), forever());
    expect(r).toEqual({ kind: 'failed', attempts: 1, reason: expect.stringContaining('HTTP 400') });
    expect(sandbox.calls.posts).toBe(1);
  });

  it('gives up at the deadline while Sinch keeps failing', async () => {
    sandbox.failWith({ kind: 'status', status: 503 });
    const r = await client().deliver(batch('rdown'), { giveUpAt: Date.now() + 300, lookUpFirst: false });
    expect(r).toMatchObject({ kind: 'failed', reason: expect.stringContaining('gave up: HTTP 503') });
    expect(sandbox.count('rdown')).toBe(0);
  });

  it('lookUpFirst: a batch sent before a crash is not sent again', async () => {
    await client().deliver(batch('rcrash'), forever());
    const r = await client().deliver(batch('rcrash'), { ...forever(), lookUpFirst: true });
    expect(r).toMatchObject({ kind: 'sent', foundByLookup: true, attempts: 0 });
    expect(sandbox.count('rcrash')).toBe(1);
  });

  it('notBefore: the look-up waits until a call another process may have in flight has ended, and then finds its batch', async () => {
    // The other process's POST reaches Sinch 300 ms from now; a look-up now would miss it and send again.
    const other = new Promise((r) => setTimeout(r, 300)).then(() => client().send(batch('rmove')));
    const started = Date.now();
    const r = await client().deliver(batch('rmove'), { ...forever(), lookUpFirst: true, notBefore: started + 600 });
    await other;
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    expect(r).toMatchObject({ kind: 'sent', foundByLookup: true, attempts: 0 });
    expect(sandbox.count('rmove')).toBe(1);
  });

  it('sends its User-Agent, which the sandbox logs with each POST', async () => {
    await new SinchClient({ apiUrl: url, servicePlanId: PLAN, apiToken: TOKEN, userAgent: 'optline-replier/test-1' }).send(batch('rua'));
    expect(sandbox.postLog).toEqual([{ clientReference: 'rua', userAgent: 'optline-replier/test-1', at: expect.any(Number) }]);
  });
});

describe('retry policy', () => {
  it('doubles up to the cap, with jitter, and never waits less than Retry-After', () => {
    const p = { initialMs: 100, maxMs: 1000 };
    expect(backoffMs(p, 0, null, () => 0)).toBe(50);
    expect(backoffMs(p, 0, null, () => 1)).toBe(100);
    expect(backoffMs(p, 3, null, () => 1)).toBe(800);
    expect(backoffMs(p, 10, null, () => 1)).toBe(1000);
    expect(backoffMs(p, 0, 5000, () => 1)).toBe(5000);
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});
