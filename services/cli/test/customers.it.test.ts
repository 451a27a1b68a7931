import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AvroSerde, Codec, createKafka, fetchTopicOffsets, topics } from '@optline/kafka';
import { collect, testConfig, uniqueName } from '@optline/test';
import { run } from '../src/commands/customers.ts';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk) => (text += chunk));
  return { stream, text: () => text };
}

describe('optline customers import', () => {
  it('imports the good lines, reports the bad ones by line number, field and rule, and exits 1', async () => {
    const config = testConfig({ topicNamespace: uniqueName('it-customers') });
    const dir = mkdtempSync(join(tmpdir(), 'optline-customers-'));
    const file = join(dir, 'profiles.jsonl');
    writeFileSync(file, [
      '{"project":"shop","customer_id":"c1","phone":"+421 905 123 456"}',
      '{"project":"shop","customer_id":"c2","phone":"0905 123 456"}',
      '',
      '{"project":"shop","customer_id":"c3","phone":null,"updated_at":1700000000000}',
      'not json',
      '{"project":"shop","customer_id":"c4","deleted":true}',
    ].join('\n') + '\n');
    const stdout = capture();
    const stderr = capture();

    const code = await run(['import', file], { stdout: stdout.stream, stderr: stderr.stream, env: {}, config, logEveryMs: 0 });

    expect(code).toBe(1);
    expect(stderr.text()).toContain('line 2: phone: ');
    expect(stderr.text()).toContain('[national_format]');
    expect(stderr.text()).toMatch(/line 5: not valid JSON.*\[json\]/);
    expect(stderr.text()).toMatch(/customers import: \d+ lines read, \d+ imported, \d+ bad/);
    const topic = topics(config.topicNamespace).customers.name;
    expect(stdout.text()).toBe(`imported 3 profiles into ${topic}; 2 bad lines of 6\n`);

    const kafka = createKafka(config);
    const admin = kafka.admin();
    await admin.connect();
    const written = (await fetchTopicOffsets(admin, topic)).reduce((sum, p) => sum + Number(p.high), 0);
    await admin.disconnect();
    expect(written).toBe(3);
    const records = await collect(kafka, topic, (r) => r.length >= 3);
    const codec = new Codec(new AvroSerde(config.schemaRegistryUrl, topics(config.topicNamespace)));
    const profiles = await Promise.all(records.map(async (r) => ({ key: r.key, value: await codec.decode<Record<string, unknown>>('CustomerProfile', r.value) })));
    expect(profiles.map((p) => p.key).sort()).toEqual(['c1', 'c3', 'c4']);
    expect(profiles.find((p) => p.key === 'c1')!.value).toMatchObject({ project: 'shop', customer_id: 'c1', phone: '00421905123456', deleted: false });
    expect(profiles.find((p) => p.key === 'c3')!.value).toMatchObject({ phone: null, updated_at: 1_700_000_000_000 });
    expect(profiles.find((p) => p.key === 'c4')!.value).toMatchObject({ deleted: true });
  });

  it('exits 0 when every line was imported, and 2 for a missing file', async () => {
    const config = testConfig({ topicNamespace: uniqueName('it-customers') });
    const file = join(mkdtempSync(join(tmpdir(), 'optline-customers-')), 'ok.jsonl');
    writeFileSync(file, '{"project":"shop","customer_id":"c1","phone":"421905123456"}\n');
    const out = capture();
    const io = { stdout: out.stream, stderr: capture().stream, env: {}, config };
    expect(await run(['import', file], io)).toBe(0);
    expect(out.text()).toMatch(/^imported 1 profiles into .*; 0 bad lines of 1\n$/);
    expect(await run(['import', join(tmpdir(), 'no-such-file.jsonl')], io)).toBe(2);
  });
});
