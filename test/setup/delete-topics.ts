import { afterAll } from 'vitest';
import { createKafka } from '@optline/kafka';
import { testConfig, uniqueNames } from '../support/index.ts';

// Runs after each integration file's own afterAll hooks (hooks run as a stack, and this one is
// registered first): deletes the topics named after, or namespaced under, the unique names the
// file handed out. Files run one after another, so nothing still uses them.
afterAll(async () => {
  const names = uniqueNames();
  if (names.length === 0) return;
  const admin = createKafka(testConfig()).admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((topic) => names.some((n) => topic === n || topic.startsWith(`${n}.`)));
    for (let i = 0; i < mine.length; i += 100) await admin.deleteTopics({ topics: mine.slice(i, i + 100), timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}, 90_000);
