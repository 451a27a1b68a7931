// The operator console in a real Chromium (Debian's, driven by playwright-core) against the
// whole system in this process: the real API, ingress, matcher, broker and registry.
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildConsole } from '@optline/console';
import { testConfig, uniqueName } from '../support/index.ts';
import { API_TOKEN, eventually, startSystem, type System } from '../support/system.ts';
import { launchChromium, type Browser } from './chromium.ts';

let sys: System;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await buildConsole();
  // With the replier and a Sinch test server, so that the Overview has confirmations to show.
  sys = await startSystem(testConfig(), { replies: {} });
  browser = await launchChromium();
  page = await browser.context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

const field = (label: string) => page.getByLabel(label, { exact: true });
/** The problems shown next to a control (its aria-describedby list). */
const problemsOf = (id: string) => page.locator(`#${id}-problems`);

async function addChips(label: string, values: string[]): Promise<void> {
  for (const value of values) {
    await field(label).fill(value);
    await field(label).press('Enter');
  }
}

describe('console', () => {
  const project = uniqueName('console');
  const dedicated = String(randomInt(10_000_000, 99_999_999));
  const phone = `+421 905 ${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
  const canonicalPhone = `00${phone.replace(/\D/g, '')}`;

  it('serves the page at /console and logs in with the API token only', async () => {
    await page.goto(`${sys.apiUrl}/console`);
    await field('API token').fill('wrong-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.locator('#login-problem').textContent()).toContain('does not accept this token');
    await field('API token').fill(API_TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    // The token is kept for this tab only.
    expect(await page.evaluate('sessionStorage.getItem("optline.apiToken")')).toBe(API_TOKEN);
  });

  it('creates a project: the suggested settings are filled in from GET /v1/sms-settings/defaults', async () => {
    await field('Project').fill(project);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByText('New project').waitFor();
    await expect.poll(() => page.locator('#keywords').locator('xpath=..').locator('.chip').allTextContents()).toContainEqual(expect.stringContaining('STOP'));
    expect(await field('Track incoming messages').isChecked()).toBe(true);
    expect(await field('Use opt-out keywords').isChecked()).toBe(true);
  });

  it('shows a 21-character keyword as an error next to "Opt-out keywords" as you type, and the API stores nothing', async () => {
    await addChips('Consent categories', ['sms_marketing']);
    await addChips('Dedicated numbers', [dedicated]);
    await field('Opt-out keywords').fill('a'.repeat(21));
    await expect.poll(() => page.locator('#keywords-counter').textContent()).toContain('typing: 21 / 20 characters');
    await field('Opt-out keywords').press('Enter');
    await expect.poll(() => problemsOf('keywords').textContent()).toContain('21 characters long, at most 20 allowed');
    expect(await field('Opt-out keywords').getAttribute('aria-invalid')).toBe('true');

    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#save-refused').waitFor();
    // The API's own refusal, next to the field it names.
    expect(await problemsOf('keywords').textContent()).toContain('at most 20 allowed');
    expect((await sys.api(`/v1/projects/${project}/sms-settings`)).status).toBe(404);
  });

  it('saves, and a reload shows the stored version', async () => {
    await page.getByRole('button', { name: `Remove ${'a'.repeat(21)}` }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved: version 1.').waitFor();
    const stored = await (await sys.api(`/v1/projects/${project}/sms-settings`)).json() as Record<string, unknown>;
    expect(stored).toMatchObject({ version: 1, consentCategories: ['sms_marketing'], dedicatedNumbers: [dedicated] });

    await page.reload();
    await page.getByText('Stored version 1').waitFor();
    expect(await page.locator('#dedicatedNumbers').locator('xpath=..').locator('.chip').allTextContents()).toEqual([expect.stringContaining(dedicated)]);
  });

  it('"Try a reply" shows the normalised text and the keyword the core\'s matcher picks, or why none', async () => {
    await field('Try a reply').fill('arrêt');
    await expect.poll(() => page.locator('#try-normalised').textContent()).toBe('arret');
    expect(await page.locator('#try-verdict').textContent()).toContain('opt-out keyword “arret”');
    await field('Try a reply').fill('Please stop');
    await expect.poll(() => page.locator('#try-verdict').textContent()).toContain('only a keyword at its start counts');
  });

  it('"Try a reply" says when a message with no keyword reads as a possible opt-out', async () => {
    await field('Try a reply').fill('please stop texting me');
    await expect.poll(() => page.locator('#try-verdict').textContent()).toContain('possible opt-out');
    expect(await page.locator('#try-verdict').textContent()).toContain('waits in the review queue');
  });

  it('Replies: a live GSM-7 / UCS-2 segment counter on each text, saved with the settings', async () => {
    await page.getByRole('link', { name: 'Replies' }).click();
    const text = field('Opt-out confirmation (default)');
    await text.fill('a'.repeat(161));
    await expect.poll(() => page.locator('#reply-0-counter').textContent()).toContain('GSM-7 · 161 septets, 2 segments');
    await text.fill('Vous êtes désinscrit.');
    await expect.poll(() => page.locator('#reply-0-counter').textContent()).toContain('UCS-2 · 21 UCS-2 units, 1 segment');
    expect(await page.locator('#reply-0-counter').textContent()).toContain('not in GSM-7: ê');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved: version 2.').waitFor();
    const stored = await (await sys.api(`/v1/projects/${project}/sms-settings`)).json() as { replies: { kind: string; text: string; keywords: string[] }[] };
    expect(stored.replies).toContainEqual({ kind: 'optOut', text: 'Vous êtes désinscrit.', keywords: [] });
  });

  it('refuses a stale save (someone saved meanwhile) with the reload offer, and the reload shows their version', async () => {
    const current = await (await sys.api(`/v1/projects/${project}/sms-settings`)).json() as Record<string, unknown>;
    const { project: _p, version, updatedAt: _u, ...doc } = current;
    const elsewhere = await sys.api(`/v1/projects/${project}/sms-settings`, {
      method: 'PUT', headers: { 'if-match': `"${version}"` }, body: JSON.stringify({ ...doc, consentCategories: ['sms_marketing', 'sms_service'] }),
    });
    expect(elsewhere.status).toBe(200);
    await field('Opt-out confirmation (default)').fill('You are out.');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#save-stale').textContent()).toContain(`since you loaded version ${version}`);
    expect(((await (await sys.api(`/v1/projects/${project}/sms-settings`)).json()) as { version: number }).version).toBe(Number(version) + 1);
    await page.getByRole('button', { name: 'Reload the stored settings' }).click();
    await expect.poll(() => field('Opt-out confirmation (default)').inputValue()).toBe('Vous êtes désinscrit.');
    await page.getByRole('link', { name: 'SMS settings' }).click();
    await page.getByText(`Stored version ${Number(version) + 1}`).waitFor();
    expect(await page.locator('#consentCategories').locator('xpath=..').locator('.chip').allTextContents()).toHaveLength(2);
  });

  it('finds a phone that posted STOP in the blacklist search, in any form', async () => {
    const res = await sys.postSinch({ type: 'mo_text', id: uniqueName('mo'), from: canonicalPhone.slice(2), to: dedicated, body: 'STOP', received_at: new Date().toISOString() });
    expect(res.status).toBe(200);
    await eventually('blacklisted', async () => ((await sys.api(`/v1/projects/${project}/blacklist/${canonicalPhone}`)).status === 200 ? true : undefined));
    await page.getByRole('link', { name: 'Blacklist' }).click();
    await field('Phone').fill(phone);
    await expect.poll(() => page.locator('#search-canonical').textContent()).toBe(`Canonical: ${canonicalPhone}`);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.locator('#entry-status').textContent()).toBe('BLOCKED');
    expect(await page.locator('dl.entry').textContent()).toContain(canonicalPhone);
    // Its history: the opt-out, with the keyword and the reply that caused it.
    await expect.poll(() => page.locator('#history tbody').textContent(), { timeout: 15_000 }).toContain('opted out');
    expect(await page.locator('#history tbody').textContent()).toContain('keyword “stop”'.replace('stop', 'STOP'));
  });

  it('clears and blocks the phone by hand with a reason (none: refused), each in its history', async () => {
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => page.locator('#blacklist-problem').textContent()).toMatch(/reason/i);
    await field('Reason').fill('customer called, wants SMS again');
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => page.locator('#entry-status').textContent()).toContain('is not blacklisted');
    await expect.poll(() => page.locator('#history tbody').textContent()).toContain('reason: customer called, wants SMS again');
    expect(await page.locator('#history tbody').textContent()).toContain('cleared manually');

    await field('Reason').fill('complaint by e-mail');
    await page.getByRole('button', { name: 'Block' }).click();
    await expect.poll(() => page.locator('#entry-status').textContent()).toBe('BLOCKED');
    expect(await page.locator('dl.entry').textContent()).toContain('manual (by console: complaint by e-mail)');
    await expect.poll(() => page.locator('#history tbody').textContent()).toContain('blocked manually');
    const entry = await (await sys.api(`/v1/projects/${project}/blacklist/${canonicalPhone}`)).json() as Record<string, unknown>;
    expect(entry).toMatchObject({ status: 'BLOCKED', source: 'manual', actor: 'console', reason: 'complaint by e-mail' });
  });

  it('lists entries by status, and exports the CSV as a download', async () => {
    // The manual block owes consent rejects, then CONSENT_TRACKED when the materializer's window
    // closes: wait for that (on a loaded machine it may already have happened), then the filter is
    // deterministic.
    const tracked = async () => ((await (await sys.api(`/v1/projects/${project}/blacklist/${canonicalPhone}`)).json()) as Record<string, unknown>).status === 'CONSENT_TRACKED';
    await eventually('manual block consent tracked', async () => ((await tracked()) ? true : undefined), 30_000);
    await field('Status').selectOption('BLOCKED');
    await expect.poll(() => page.locator('#entries caption').textContent()).toBe('No entries, BLOCKED');
    await field('Status').selectOption('CONSENT_TRACKED');
    await expect.poll(() => page.locator('#entries tbody').textContent()).toContain(canonicalPhone);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`blacklist-${project}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('phone,status,source,keyword,message_id,blocked_at,updated_at');
    expect(csv.slice(1)).toEqual([expect.stringMatching(new RegExp(`^${canonicalPhone},CONSENT_TRACKED,manual,`))]);
  });

  it('Overview: the STOP and the manual block count in this hour\'s opt-outs, the confirmation in its replies, with p50/p99 of inbound-to-blacklisted and -to-confirmation', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    // The page refreshes every 10 s; the reader may still be catching up on the first load.
    await expect.poll(async () => {
      await page.reload();
      await page.locator('#total-optouts').waitFor();
      return [await page.locator('#total-optouts').textContent(), await page.locator('#total-replies').textContent()];
    }, { timeout: 30_000, interval: 1_000 }).toEqual(['2', '1']);
    expect(await page.locator('#latency-blacklisted').textContent()).toMatch(/^p50 \d+ ms · p99 \d+ ms$/);
    expect(await page.locator('#latency-confirmation').textContent()).toMatch(/^p50 [\d.]+ m?s · p99 [\d.]+ m?s$/);
    expect(await page.getByRole('img', { name: /Opt-outs and replies per hour/ }).count()).toBe(1);
  });

  it('Review queue: a reply that reads as a request to stop waits there; confirm blacklists it, dismiss does not', async () => {
    const phones = ['+421 905 111 001', '+421 905 111 002'].map((p) => `00${p.replace(/\D/g, '')}`);
    for (const from of phones) {
      const res = await sys.postSinch({ type: 'mo_text', id: uniqueName('mo'), from: from.slice(2), to: dedicated, body: 'please stop texting me', received_at: new Date().toISOString() });
      expect(res.status).toBe(200);
    }
    await eventually('both in the queue', async () => {
      const { items } = await (await sys.api(`/v1/projects/${project}/possible-opt-outs`)).json() as { items: unknown[] };
      return items.length === 2 ? true : undefined;
    });
    await page.getByRole('link', { name: 'Review queue' }).click();
    const first = page.getByRole('region', { name: `Possible opt-out from ${phones[0]}` });
    await first.waitFor();
    expect(await first.textContent()).toContain('please stop texting me');
    await page.getByRole('button', { name: `Confirm opt-out of ${phones[0]}` }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`${phones[0]} is blacklisted`);
    await page.getByRole('button', { name: `Dismiss ${phones[1]}` }).click();
    await page.locator('#review-empty').waitFor();
    expect((await sys.api(`/v1/projects/${project}/blacklist/${phones[0]}`)).status).toBe(200);
    expect((await sys.api(`/v1/projects/${project}/blacklist/${phones[1]}`)).status).toBe(404);
  });

  it('is readable at 360 px: no page scrolls sideways', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    for (const name of ['Overview', 'SMS settings', 'Replies', 'Blacklist', 'Review queue', 'API reference']) {
      await page.getByRole('link', { name }).click();
      await page.locator('main h1').first().waitFor();
      const { scroll, client } = await page.evaluate('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })') as { scroll: number; client: number };
      expect(scroll, name).toBeLessThanOrEqual(client);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('is usable from the keyboard: Tab reaches the chips\' remove buttons, Enter adds a chip, Backspace takes the last back', async () => {
    await page.getByRole('link', { name: 'SMS settings' }).click();
    await field('Help keywords').focus();
    await page.keyboard.type('aide');
    await page.keyboard.press('Enter');
    expect(await page.locator('#helpKeywords').locator('xpath=..').locator('.chip').allTextContents()).toContainEqual(expect.stringContaining('aide'));
    await page.keyboard.press('Backspace');
    expect(await field('Help keywords').inputValue()).toBe('aide');
    await field('Help keywords').fill('');
    await field('Opt-in keywords').focus();
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-label")')).toMatch(/^Remove /);
  });

  it('logs out: the token is gone from session storage and the login form is back', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await field('API token').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });
});
