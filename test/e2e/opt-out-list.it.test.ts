import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/system.ts';
import { canonical, randomPhone, systemForFile, type Project } from './helpers.ts';

// The opt-out list (SPEC.md Flows 6) end to end: API commands to the matcher, the only writer of
// the blacklist, its history topic, the API's history store, the replier's confirmation, over a
// real broker and registry. Each test has a project of its own.

const REPLIES = { trackIncoming: true, replies: [{ kind: 'optOut', text: 'You are unsubscribed. Reply START to come back.' }] };
const AGENT = { 'x-optline-actor': 'agent@acme.example' };

const scenario = systemForFile({ replies: {} });

type Json = Record<string, unknown>;

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const { sys } = scenario();
  // sys.api always sends content-type: application/json, and a JSON request needs a JSON body.
  if (body === undefined && method === 'DELETE') body = '{}';
  const res = await sys.api(path, { method, headers: { ...(body !== undefined && !headers['content-type'] ? { 'content-type': 'application/json' } : {}), ...headers }, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, body: (await res.json()) as Json };
}

const entryPath = (project: Project, phone: string) => `/v1/projects/${project.name}/blacklist/${encodeURIComponent(phone)}`;

async function history(project: Project, phone: string): Promise<Json[]> {
  const res = await call('GET', `${entryPath(project, phone)}/history`);
  expect(res.status).toBe(200);
  return res.body.changes as Json[];
}

async function exportCsv(project: Project): Promise<string[]> {
  const res = await scenario().sys.api(`/v1/projects/${project.name}/blacklist`, { headers: { accept: 'text/csv' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
  return (await res.text()).trim().split('\n');
}

describe('import', () => {
  it('100k lines with 1 % bad: the good ones are refused at send-check, the bad ones reported by line, field and rule; the same file twice changes nothing', async () => {
    const project = await scenario().project();
    const lines = ['phone,opted_out_at'];
    const bad = new Map<number, [string, string]>();
    const good: string[] = [];
    // +421 905 is a Slovak mobile range: every number in it is valid (other 9xx ranges are not all).
    const base = randomInt(0, 900_000);
    const number = (i: number) => `+421905${String(base + i).padStart(6, '0')}`;
    for (let i = 0; i < 100_000; i++) {
      const line = lines.length + 1;
      if (i % 100 === 37) {
        // Three kinds of bad line: a phone that is no phone, a date that is no date, a future date.
        const kind = (i / 100) % 3 | 0;
        if (kind === 0) { lines.push(`+421 12,`); bad.set(line, ['phone', '']); }
        else if (kind === 1) { lines.push(`${number(i)},yesterday`); bad.set(line, ['opted_out_at', 'date_time']); }
        else { lines.push(`${number(i)},2999-01-01T00:00:00Z`); bad.set(line, ['opted_out_at', 'not_in_future']); }
        continue;
      }
      const phone = number(i);
      good.push(canonical(phone));
      lines.push(i % 2 === 0 ? `${phone},2025-06-01T10:00:00Z` : `${phone},`);
    }
    const file = `${lines.join('\n')}\n`;
    const first = await call('POST', `/v1/projects/${project.name}/blacklist/import?reason=migrated%20from%20Twilio`, file, { 'content-type': 'text/csv', ...AGENT });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ lines: 99_000, imported: 99_000, already_listed: 0, visible: true, refused_total: 1000 });
    const refused = first.body.refused as { line: number; field: string; rule: string; message: string }[];
    expect(refused).toHaveLength(1000);
    for (const r of refused) {
      const [field, rule] = bad.get(r.line)!;
      expect(r.field, `line ${r.line}`).toBe(field);
      if (rule) expect(r.rule, `line ${r.line}`).toBe(rule);
      expect(r.message).toContain(`line ${r.line}`);
    }
    // Refused at send-check (a sample: every 500th good phone), and on the list whole.
    for (let i = 0; i < good.length; i += 500) expect(await scenario().sendCheck(project, good[i]!, 'c1'), good[i]).toMatchObject({ allowed: false, reason: 'blacklisted' });
    const exported = await exportCsv(project);
    expect(exported[0]).toBe('phone,status,source,keyword,message_id,blocked_at,updated_at');
    expect(exported.slice(1).map((l) => l.split(',')[0]).sort()).toEqual([...good].sort());
    expect(exported[1]).toMatch(/^00\d+,BLOCKED,import,,[0-9a-f-]{36},/);
    const one = await scenario().blacklist(project, good[0]!);
    expect(one.body).toMatchObject({ source: 'import', actor: 'agent@acme.example', reason: 'migrated from Twilio', blocked_at: Date.parse('2025-06-01T10:00:00Z') });

    const second = await call('POST', `/v1/projects/${project.name}/blacklist/import?reason=migrated%20from%20Twilio`, file, { 'content-type': 'text/csv', ...AGENT });
    expect(second.body).toMatchObject({ lines: 99_000, imported: 0, already_listed: 99_000, refused_total: 1000 });
    expect(await exportCsv(project)).toEqual(exported);
    expect((await history(project, good[0]!)).map((c) => c.kind)).toEqual(['imported']);
  }, 240_000);

  it('reads JSON lines too, and pages the list with a cursor and a status filter', async () => {
    const project = await scenario().project();
    const phones = Array.from({ length: 25 }, () => randomPhone());
    const body = phones.map((p) => JSON.stringify({ phone: p })).join('\n') + '\nnot json\n{"phone": 42}\n';
    const res = await call('POST', `/v1/projects/${project.name}/blacklist/import`, body, { 'content-type': 'application/x-ndjson' });
    expect(res.body).toMatchObject({ imported: new Set(phones.map(canonical)).size, refused_total: 2 });
    expect((res.body.refused as Json[]).map((r) => [r.line, r.field, r.rule])).toEqual([[26, 'line', 'json'], [27, 'phone', 'required']]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call('GET', `/v1/projects/${project.name}/blacklist?limit=10&status=BLOCKED${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body.entries as Json[]).map((e) => e.phone as string));
      cursor = page.body.next_cursor as string | null;
    } while (cursor);
    expect(seen).toEqual([...new Set(phones.map(canonical))].sort());
    expect((await call('GET', `/v1/projects/${project.name}/blacklist?status=CONSENT_TRACKED`)).body.entries).toEqual([]);
  });
});

describe('manual changes', () => {
  it('a manual block is refused at send-check at once; a clear needs a reason; the history tells STOP, confirmation, consent tracked and the clear with its actor', async () => {
    const project = await scenario().project(REPLIES);
    const other = randomPhone();
    const blocked = await call('PUT', entryPath(project, other), JSON.stringify({ reason: 'asked by e-mail' }), AGENT);
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ status: 'BLOCKED', source: 'manual', actor: 'agent@acme.example', reason: 'asked by e-mail' });
    expect(await scenario().sendCheck(project, other, 'c9')).toMatchObject({ allowed: false, reason: 'blacklisted' });
    expect((await call('PUT', entryPath(project, other), JSON.stringify({}))).status).toBe(400);
    // A manual block owes consent rejects like a STOP (none here: no profile), then CONSENT_TRACKED.
    await eventually('manual block consent tracked', async () => ((await scenario().blacklist(project, other)).body.status === 'CONSENT_TRACKED' ? true : undefined), 30_000);
    expect((await history(project, other)).map((c) => [c.kind, c.actor])).toEqual([['blocked_manually', 'agent@acme.example'], ['consent_tracked', null]]);

    const phone = randomPhone();
    const stop = await scenario().reply(project, phone, 'STOP');
    await eventually('consent tracked', async () => ((await scenario().blacklist(project, phone)).body.status === 'CONSENT_TRACKED' ? true : undefined), 30_000);
    await eventually('confirmation sent', async () => ((await history(project, phone)).some((c) => c.kind === 'reply_sent') ? true : undefined), 30_000);

    const noReason = await call('DELETE', entryPath(project, phone));
    expect(noReason.status).toBe(400);
    expect(noReason.body).toMatchObject({ error: { code: 'reason_required', fields: [{ field: 'querystring.reason', rule: 'required' }] } });
    expect(await scenario().sendCheck(project, phone, 'c1')).toMatchObject({ allowed: false });
    const cleared = await call('DELETE', `${entryPath(project, phone)}?reason=${encodeURIComponent('customer called support')}`, undefined, AGENT);
    expect(cleared).toMatchObject({ status: 200, body: { blacklisted: false } });
    expect(await scenario().sendCheck(project, phone, 'c1')).toMatchObject({ allowed: true });

    const changes = await history(project, phone);
    // The confirmation and the consent race (the reply is sent at once, the consent when the
    // window closes; on a loaded cluster the reply can come second): both orders are true history.
    expect(changes.map((c) => c.kind)).toEqual(expect.arrayContaining(['reply_sent', 'consent_tracked']));
    expect([changes[0]!.kind, changes.length, changes[3]!.kind]).toEqual(['opted_out', 4, 'cleared_manually']);
    const kind = (k: string) => changes.find((c) => c.kind === k);
    expect(changes[0]).toMatchObject({ message_id: stop.id, body: 'STOP', keyword: 'stop', status: 'BLOCKED', source: 'keyword', blocked_at: stop.received_at });
    expect(changes[0]!.settings_version).toEqual(expect.any(Number));
    expect(kind('reply_sent')).toMatchObject({ body: 'You are unsubscribed. Reply START to come back.' });
    expect(kind('consent_tracked')).toMatchObject({ status: 'CONSENT_TRACKED', message_id: stop.id });
    expect(changes[3]).toMatchObject({ status: null, actor: 'agent@acme.example', reason: 'customer called support' });
  }, 120_000);

  it('a manual clear and a STOP sent at the same moment end in a state the history explains, with no lost write', async () => {
    const project = await scenario().project();
    for (let round = 0; round < 4; round++) {
      const phone = randomPhone();
      expect((await call('PUT', entryPath(project, phone), JSON.stringify({ reason: 'set up' }), AGENT)).status).toBe(200);
      // Odd rounds race against a block whose consent is already tracked (as on a slow machine).
      if (round % 2 === 1) await eventually('set-up block consent tracked', async () => ((await scenario().blacklist(project, phone)).body.status === 'CONSENT_TRACKED' ? true : undefined), 30_000);
      const [clear, stop] = await Promise.all([
        call('DELETE', `${entryPath(project, phone)}?reason=race`, undefined, AGENT),
        scenario().reply(project, phone, 'STOP'),
      ]);
      expect([200, 202]).toContain(clear.status);
      // The materializer's window may close during the round and add consent_tracked after the
      // manual block or the STOP (it follows whichever block is current): true history, but not
      // one of the two racing writes, so it is checked apart.
      const writes = (h: Json[]) => h.filter((c) => c.kind !== 'consent_tracked');
      const changes = await eventually('both changes in the history', async () => {
        const h = await history(project, phone);
        return writes(h).length >= 3 ? h : undefined;
      }, 20_000);
      // Both writes are there, in the order the matcher applied them ...
      const racing = writes(changes);
      expect(racing[0]!.kind).toBe('blocked_manually');
      expect(racing.slice(1).map((c) => c.kind).sort()).toEqual(['cleared_manually', 'opted_out']);
      expect(racing.find((c) => c.kind === 'opted_out')!.message_id).toBe(stop.id);
      // ... a consent_tracked only ever follows a block, never the clear ...
      changes.forEach((c, i) => {
        if (c.kind === 'consent_tracked') expect(['blocked_manually', 'opted_out']).toContain(changes[i - 1]!.kind);
      });
      // ... and the last write is the state the blacklist is in.
      const last = racing[racing.length - 1]!;
      const entry = await scenario().blacklist(project, phone);
      if (last.kind === 'opted_out') expect(entry.body).toMatchObject({ status: expect.stringMatching(/^(BLOCKED|CONSENT_TRACKED)$/), message_id: stop.id });
      else expect(entry.status).toBe(404);
    }
  }, 120_000);
});
