// `optline blacklist list|export|block|clear|import|history` against the whole system (the
// matcher decides every change), over HTTP.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemForFile } from '../../../test/e2e/helpers.ts';
import { run as blacklist } from '../src/commands/blacklist.ts';
import { captured } from './captured.ts';

const scenario = systemForFile();
const dir = mkdtempSync(join(tmpdir(), 'optline-cli-blacklist-'));

const cli = (args: string[]) => captured(blacklist, args, { OPTLINE_API_URL: scenario().sys.apiUrl, OPTLINE_API_TOKEN: process.env.OPTLINE_API_TOKEN! });

describe('optline blacklist', () => {
  it('imports a file (bad lines by number, field and rule), blocks, clears with a reason, lists, exports and shows the history', async () => {
    const project = (await scenario().project()).name;
    const list = join(dir, 'list.csv');
    writeFileSync(list, 'phone,opted_out_at\n+421 905 111 001,2025-03-01T12:00:00Z\nnot a phone,\n+421 905 111 002,\n');
    const imported = await cli(['import', project, list, '--reason', 'from the old provider', '--actor', 'ops@acme']);
    expect(imported.code).toBe(1);
    expect(imported.stdout).toBe('2 imported, 0 already on the list, 0 repeated lines, 1 refused\n');
    expect(imported.stderr).toMatch(/^line 3: phone: .* \[[a-z_]+\]$/m);
    expect((await cli(['import', project, list])).stdout).toContain('0 imported, 2 already on the list');

    const blocked = await cli(['block', project, '+421 905 111 003', '--reason', 'asked by e-mail', '--actor', 'ops@acme']);
    expect(blocked.code).toBe(0);
    expect(JSON.parse(blocked.stdout)).toMatchObject({ phone: '00421905111003', source: 'manual', actor: 'ops@acme', reason: 'asked by e-mail' });
    const noReason = await cli(['clear', project, '+421 905 111 003']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('clear needs --reason');
    expect((await cli(['clear', project, '+421 905 111 003', '--reason', 'customer called', '--actor', 'ops@acme'])).code).toBe(0);

    const page = await cli(['list', project, '--limit', '1']);
    expect(page.code).toBe(0);
    const first = JSON.parse(page.stdout) as { entries: { phone: string }[]; next_cursor: string };
    expect(first.entries.map((e) => e.phone)).toEqual(['00421905111001']);
    const next = JSON.parse((await cli(['list', project, '--cursor', first.next_cursor])).stdout) as { entries: { phone: string }[] };
    expect(next.entries.map((e) => e.phone)).toEqual(['00421905111002']);

    const csv = join(dir, 'export.csv');
    const exported = await cli(['export', project, '--output', csv]);
    expect(exported.code).toBe(0);
    expect(exported.stderr).toContain('2 entries');
    // The export streams in the client's table order, which is not the phones' order.
    const [header, ...rows] = readFileSync(csv, 'utf8').split('\n').filter(Boolean).map((l) => l.split(',').slice(0, 3).join(','));
    expect(header).toBe('phone,status,source');
    expect(rows.sort()).toEqual(['00421905111001,BLOCKED,import', '00421905111002,BLOCKED,import']);

    const history = await cli(['history', project, '00421905111003']);
    expect(history.code).toBe(0);
    const changes = (JSON.parse(history.stdout) as { changes: { kind: string; actor: string; reason: string }[] }).changes;
    expect(changes.map((c) => [c.kind, c.actor, c.reason])).toEqual([['blocked_manually', 'ops@acme', 'asked by e-mail'], ['cleared_manually', 'ops@acme', 'customer called']]);
  }, 120_000);
});
