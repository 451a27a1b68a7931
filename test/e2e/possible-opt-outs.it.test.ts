import { describe, expect, it } from 'vitest';
import { eventually } from '../support/system.ts';
import { canonical, randomPhone, systemForFile, type Project, type Scenario } from './helpers.ts';

// Possible opt-outs end to end (issue 18's "Must show"): Sinch callbacks into ingress, the
// matcher's review queue, the API's review routes, the manual block through the matcher, the
// materializer's consent events; real broker and registry.

const s = systemForFile();

async function queue(sc: Scenario, project: Project): Promise<Array<Record<string, unknown>>> {
  const res = await sc.sys.api(`/v1/projects/${project.name}/possible-opt-outs`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: Array<Record<string, unknown>> }).items;
}

async function decide(sc: Scenario, project: Project, id: string, decision: string) {
  const res = await sc.sys.api(`/v1/projects/${project.name}/possible-opt-outs/${id}`, {
    method: 'POST', body: JSON.stringify({ decision }), headers: { 'x-optline-actor': 'ops@example.com' },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('possible opt-outs', () => {
  it('flag: "please stop texting me" blocks nothing and waits in the review queue; confirm blacklists (manual, actor) and consent rejects follow; dismiss does nothing', async () => {
    const sc = s();
    const project = await sc.project();
    const [confirmed, dismissed] = [randomPhone(), randomPhone()];
    await sc.profile(project, 'alice', confirmed);
    await sc.indexed(project, confirmed, 'alice');
    await sc.reply(project, confirmed, 'please stop texting me');
    await sc.reply(project, dismissed, 'please stop texting me');

    const items = await eventually('two items in the review queue', async () => {
      const found = await queue(sc, project);
      return found.length === 2 ? found : undefined;
    });
    const byPhone = new Map(items.map((i) => [i.phone, i]));
    expect(byPhone.get(canonical(confirmed))).toMatchObject({
      body: 'please stop texting me', rule: 'phrase', language: 'en', evidence: 'please stop',
      reason: '"please stop" matches the en phrase rule "@please stop"',
    });
    expect((await sc.blacklist(project, confirmed)).status).toBe(404);
    expect((await sc.blacklist(project, dismissed)).status).toBe(404);

    const confirm = await decide(sc, project, byPhone.get(canonical(confirmed))!.id as string, 'confirm');
    expect(confirm).toMatchObject({ status: 200, body: { decision: 'confirm', actor: 'ops@example.com', blacklisted: true } });
    expect((await sc.blacklist(project, confirmed)).body).toMatchObject({
      status: expect.any(String), source: 'manual', actor: 'ops@example.com', reason: expect.stringContaining('possible opt-out confirmed'),
    });
    const rejects = await eventually('consent reject for alice', async () => {
      const events = sc.consent(project).filter((e) => e.customer_id === 'alice' && e.action === 'reject');
      return events.length > 0 ? events : undefined;
    }, 60_000);
    expect(rejects).toHaveLength(1);

    const dismiss = await decide(sc, project, byPhone.get(canonical(dismissed))!.id as string, 'dismiss');
    expect(dismiss).toMatchObject({ status: 200, body: { decision: 'dismiss', blacklisted: false } });
    expect((await sc.blacklist(project, dismissed)).status).toBe(404);
    expect(await queue(sc, project)).toEqual([]);
    // Decided once: a second decision is refused, an unknown id is not found.
    expect((await decide(sc, project, byPhone.get(canonical(dismissed))!.id as string, 'confirm')).status).toBe(409);
    expect((await decide(sc, project, 'no-such-item', 'confirm')).status).toBe(404);
    expect((await decide(sc, project, 'no-such-item', 'maybe')).status).toBe(400);
  });

  it('blacklist: the same reply blacklists at once, source keyword, with the reason', async () => {
    const sc = s();
    const project = await sc.project({ possibleOptOuts: 'blacklist' });
    const phone = randomPhone();
    await sc.reply(project, phone, 'please stop texting me');
    expect(await sc.blacklisted(project, phone)).toMatchObject({
      status: 'BLOCKED', source: 'keyword', reason: 'possible opt-out: "please stop" matches the en phrase rule "@please stop"',
    });
    expect(await queue(sc, project)).toEqual([]);
  });
});
