import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function optline(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['services/cli/bin/optline.mjs', ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const lines = (values: unknown[]) => values.map((v) => JSON.stringify(v) + '\n').join('');
const answers = (stdout: string) => stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);

describe('optline match', () => {
  it('answers the product page examples with keywords "stop" and "arret"', async () => {
    const matching = ['STOP', 'Stop', 'stop', ' stop', 'šťóp', 'stopwatches', 'Arret', 'ARRET', 'arret', 'arrêt'];
    const notMatching = ['Please stop', 'Unsubscribe me', 'Garret', 'barret'];
    const { code, stdout, stderr } = await optline(['match', '--keyword', 'stop', '--keyword', 'arret'], lines([...matching, ...notMatching]));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(answers(stdout)).toEqual([
      ...['stop', 'stop', 'stop', 'stop', 'stop', 'stop', 'arret', 'arret', 'arret', 'arret'].map((keyword) => ({ matched: true, keyword })),
      // The keyword rule is unchanged; "Please stop" and "Unsubscribe me" read as requests to stop.
      ...[true, true, false, false].map((possible) => ({ matched: false, keyword: null, possible })),
    ]);
  });

  it('says which unmatched lines read as a request to stop, and why with --explain', async () => {
    const bodies = ['please stop texting me', 'stpo', 'Bitte keine SMS mehr', "I'll stop by the shop tomorrow", 'STOP'];
    const { code, stdout } = await optline(['match', '--keyword', 'stop'], lines(bodies));
    expect(code).toBe(0);
    expect(answers(stdout)).toEqual([
      { matched: false, keyword: null, possible: true },
      { matched: false, keyword: null, possible: true },
      { matched: false, keyword: null, possible: true },
      { matched: false, keyword: null, possible: false },
      { matched: true, keyword: 'stop' },
    ]);
    const explained = answers((await optline(['match', '-k', 'stop', '--explain'], lines(bodies.slice(1, 3)))).stdout);
    expect(explained).toEqual([
      { matched: false, keyword: null, possible: true, rule: 'keyword_typo', evidence: 'stpo', reason: '"stpo" is one slip (swapped letters) from the opt-out keyword "stop"' },
      {
        matched: false, keyword: null, possible: true, rule: 'phrase', language: 'de', evidence: 'bitte keine sms',
        reason: '"bitte keine sms" matches the de phrase rule "bitte keine @msg"',
      },
    ]);
  });

  it('answers with the keyword as configured, for CRLF lines and a last line without newline', async () => {
    const { code, stdout } = await optline(['match', '-k', 'Arrêt', '--keyword=OPT OUT'], '"ARRET!"\r\n"optout"\r\n"no"');
    expect(code).toBe(0);
    expect(answers(stdout)).toEqual([{ matched: true, keyword: 'Arrêt' }, { matched: true, keyword: 'OPT OUT' }, { matched: false, keyword: null, possible: false }]);
  });

  it('streams large input', async () => {
    const bodies = Array.from({ length: 50_000 }, (_, i) => (i % 3 === 0 ? 'STOP ' : 'hi ') + 'x'.repeat(i % 200));
    const { code, stdout } = await optline(['match', '--keyword', 'stop'], lines(bodies));
    expect(code).toBe(0);
    const results = answers(stdout) as Array<{ matched: boolean }>;
    expect(results).toHaveLength(50_000);
    expect(results.filter((r) => r.matched)).toHaveLength(Math.ceil(50_000 / 3));
  });

  it.each([
    [[], 'at least one --keyword is required'],
    [Array.from({ length: 101 }, (_, i) => ['--keyword', `k${i}`]).flat(), 'too many keywords: 101 given, at most 100 allowed (rule too_many_keywords)'],
    [['--keyword', 'x'.repeat(21)], 'is 21 characters long, at most 20 allowed (rule keyword_too_long)'],
    [['--keyword', ' '], 'rule keyword_empty'],
    [['--keyword'], '--keyword needs a value'],
    [['--colour', 'red'], 'unknown argument "--colour"'],
  ])('exits 2 naming the problem for arguments %#', async (args, message) => {
    const { code, stdout, stderr } = await optline(['match', ...args], '"stop"\n');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
  });

  it('answers the lines before one that is not a JSON string, then exits 2 naming its line number', async () => {
    const { code, stdout, stderr } = await optline(['match', '--keyword', 'stop'], '"stop"\n"hello"\nstop\n"stop"\n');
    expect(code).toBe(2);
    expect(answers(stdout)).toEqual([{ matched: true, keyword: 'stop' }, { matched: false, keyword: null, possible: false }]);
    expect(stderr).toContain('line 3 is not a JSON string');
  });

  it('prints help', async () => {
    const { code, stdout } = await optline(['match', '--help'], '');
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: optline match --keyword K');
  });
});
