// A batch of settings commands that starts past where the writer's task stands must not leave
// the commands before it undecided. kafkajs delivers batches fetched before a rejoin after it
// (issue #21); here the writer's own consumer is made to deliver one: the command partition is
// paused, changes are sent, the consumer seeks past two of them, then resumes.
import { afterAll, describe, expect, it } from 'vitest';
import type { Admin, Consumer } from 'kafkajs';
import { createKafka, fetchTopicOffsets, provision, topics } from '@optline/kafka';
import { testConfig, uniqueName } from '@optline/test';
import { SettingsTable, SettingsWriter } from '../src/index.ts';

const stops: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

/** A fresh namespace with a table and its writer, once the writer owns its task. */
async function writerOn(prefix: string) {
  const config = testConfig({ topicNamespace: uniqueName(prefix) });
  await provision(config);
  const table = new SettingsTable({ config });
  await table.start();
  await table.ready(30_000);
  const writer = new SettingsWriter({ config, table });
  await writer.start();
  const admin = createKafka(config).admin();
  await admin.connect();
  stops.push(() => table.stop(), () => writer.stop(), () => admin.disconnect());
  const internals = writer as unknown as { consumer: Consumer; tasks: { owned(): string[] } };
  for (const deadline = Date.now() + 30_000; internals.tasks.owned().length === 0; ) {
    if (Date.now() > deadline) throw new Error('the settings writer was given no task within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { table, consumer: internals.consumer, admin, topic: topics(config.topicNamespace).settingsCommands.name };
}

const doc = (number: string) => ({ trackIncoming: true, optOutEnabled: true, keywords: ['STOP'], consentCategories: ['sms'], dedicatedNumbers: [number] });

async function end(admin: Admin, topic: string): Promise<number> {
  return Number((await fetchTopicOffsets(admin, topic))[0]!.high);
}

/** Five changes sent while the command partition is paused, read by the writer from the third on; what each put answered. */
async function putsDeliveredPastTwo(w: Awaited<ReturnType<typeof writerOn>>, name: string): Promise<Record<string, unknown>> {
  w.consumer.pause([{ topic: w.topic, partitions: [0] }]);
  const first = await end(w.admin, w.topic);
  const projects = Array.from({ length: 5 }, (_, i) => `${name}-${i}`);
  const puts = projects.map((p, i) => w.table.put(p, doc(`1000${i}`), { timeoutMs: 20_000 }).then((r) => r.ok, (e: Error) => e.name));
  while ((await end(w.admin, w.topic)) < first + 5) await new Promise((r) => setTimeout(r, 50));
  w.consumer.seek({ topic: w.topic, partition: 0, offset: String(first + 2) });
  w.consumer.resume([{ topic: w.topic, partitions: [0] }]);
  const answers = await Promise.all(puts);
  return Object.fromEntries(projects.map((p, i) => [p, answers[i]]));
}

/** Every project's put answered ok (a skipped command: SettingsCommandTimeoutError). */
const allOk = (answers: Record<string, unknown>) => Object.fromEntries(Object.keys(answers).map((p) => [p, true]));

describe('settings writer: a batch from past the task position', () => {
  it('on a command partition never committed: every change is decided', async () => {
    const w = await writerOn('it-settings-stale-new');
    const answers = await putsDeliveredPastTwo(w, 'never-committed');
    expect(answers).toEqual(allOk(answers));
  });

  it('on a command partition it has decided before: every change is decided', async () => {
    const w = await writerOn('it-settings-stale-read');
    expect((await w.table.put('before', doc('20000'))).ok).toBe(true);
    const answers = await putsDeliveredPastTwo(w, 'read-before');
    expect(answers).toEqual(allOk(answers));
  });
});
