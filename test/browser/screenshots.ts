// Screenshots of every console page at 1440 px into docs/screenshots/, for the README:
//   OPTLINE_KAFKA_BROKERS=... OPTLINE_SCHEMA_REGISTRY_URL=... npm run screenshots
// Starts the whole system in this process on a topic namespace of its own (the broker and
// registry of the environment), fills a project through the real doors, then drives Chromium.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { buildConsole } from '@optline/console';
import { loadConfig } from '@optline/runtime';
import { API_TOKEN, eventually, startSystem } from '../support/system.ts';
import { launchChromium } from './chromium.ts';

const out = join(dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const step = (what: string) => process.stderr.write(`screenshots: ${what}\n`);

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
  step(`docs/screenshots/${name}.png`);
}

mkdirSync(out, { recursive: true });
step('building the console');
await buildConsole();
step('starting the system');
const sys = await startSystem(loadConfig(), { logLevel: 'error', replies: {} });
const browser = await launchChromium({ width: 1440, height: 900 });
try {
  const project = 'shop';
  const dedicated = '12345';
  const put = await sys.api(`/v1/projects/${project}/sms-settings`, {
    method: 'PUT',
    body: JSON.stringify({
      ...(await (await sys.api('/v1/sms-settings/defaults')).json() as object),
      consentCategories: ['sms_marketing'], dedicatedNumbers: [dedicated, '+421 905 000 111'],
    }),
  });
  if (!put.ok) throw new Error(`settings: ${put.status} ${await put.text()}`);
  const phones = ['421905123456', '421905654321', '33612345678', '421905777888'];
  for (const [i, from] of phones.entries()) {
    const body = ['STOP', 'arrêt', 'Stop please', 'please stop texting me'][i]!;
    await sys.postSinch({ type: 'mo_text', id: `shot-${Date.now()}-${i}`, from, to: dedicated, body, received_at: new Date().toISOString() });
  }
  await eventually('blacklisted', async () => ((await sys.api(`/v1/projects/${project}/blacklist/00${phones[0]}`)).ok ? true : undefined));

  const page = await browser.context.newPage();
  await page.goto(`${sys.apiUrl}/console`);
  await shot(page, 'login');
  await page.getByLabel('API token', { exact: true }).fill(API_TOKEN);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByLabel('Project', { exact: true }).fill(project);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.getByText('Stored version').waitFor();
  await page.getByLabel('Opt-out keywords', { exact: true }).fill('unsubscribe-me-from-all');
  await page.getByLabel('Opt-out keywords', { exact: true }).press('Enter');
  await page.getByLabel('Try a reply', { exact: true }).fill('Arrêt, svp');
  await shot(page, 'settings');
  await page.getByRole('button', { name: 'Remove unsubscribe-me-from-all' }).click();
  await page.getByRole('link', { name: 'Replies' }).click();
  await page.getByLabel('Opt-out confirmation (default)', { exact: true }).waitFor();
  await shot(page, 'replies');
  await page.getByRole('link', { name: 'Blacklist' }).click();
  await page.getByLabel('Phone', { exact: true }).fill('+421 905 123 456');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.locator('dl.entry').waitFor();
  await shot(page, 'blacklist');
  await page.getByRole('link', { name: 'Overview' }).click();
  await eventually('overview', async () => {
    await page.reload();
    await page.locator('#total-replies').waitFor();
    return (await page.locator('#total-replies').textContent()) !== '0' ? true : undefined;
  });
  await shot(page, 'overview');
  await page.getByRole('link', { name: 'Review queue' }).click();
  await page.locator('.review-item').first().waitFor();
  await shot(page, 'review-queue');
  await page.getByRole('link', { name: 'API reference' }).click();
  await page.locator('.operation').first().waitFor();
  await shot(page, 'api-reference');
} finally {
  await browser.close();
  await sys.stop();
}
