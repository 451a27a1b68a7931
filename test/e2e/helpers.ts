import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { testConfig, uniqueName } from '../support/index.ts';
import { EventLog } from '../support/events.ts';
import { eventually, startSystem, type System } from '../support/system.ts';

// Vocabulary of the end-to-end tests: projects, profiles, sent SMS and replies, all through the
// system's real doors (API, ingress, input topics).

export interface Project {
  name: string;
  /** A short code of its own, so replies route to this project only. */
  dedicated: string;
}

export const randomPhone = () => `+421 905 ${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
export const canonical = (phone: string) => `00${phone.replace(/\D/g, '')}`;

export class Scenario {
  private seq = 0;
  constructor(
    readonly sys: System,
    readonly log: EventLog,
  ) {}

  async project(settings: Record<string, unknown> = {}): Promise<Project> {
    const project = { name: uniqueName('proj'), dedicated: String(randomInt(10_000_000, 99_999_999)) };
    await this.settings(project, settings);
    return project;
  }

  async settings(project: Project, settings: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await this.sys.api(`/v1/projects/${project.name}/sms-settings`, {
      method: 'PUT',
      body: JSON.stringify({
        trackIncoming: true, optOutEnabled: true, keywords: ['stop', 'arret'], optInKeywords: ['start'],
        consentCategories: ['sms_marketing'], dedicatedNumbers: [project.dedicated], ...settings,
      }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body;
  }

  async profile(project: Project, customer_id: string, phone: string | null, updated_at = Date.now() - 86_400_000): Promise<void> {
    await this.sys.produce(this.sys.topics.customers.name, customer_id, { project: project.name, customer_id, phone: phone && canonical(phone), updated_at, deleted: false });
  }

  async sent(project: Project, customer_id: string, phone: string, sent_at: number): Promise<void> {
    await this.sys.produce(this.sys.topics.sent.name, canonical(phone), {
      project: project.name, customer_id, phone: canonical(phone), sender: project.dedicated, message_id: uniqueName('sent'), sent_at,
    });
  }

  /** Posts a Sinch mo_text callback; answers the callback id and the received_at it carried. */
  async reply(project: Project, from: string, body: string, id = uniqueName('mo')): Promise<{ id: string; received_at: number }> {
    const received_at = Date.now() - 1000;
    const res = await this.sys.postSinch({ type: 'mo_text', id, from: canonical(from).slice(2), to: project.dedicated, body, received_at: new Date(received_at).toISOString() });
    expect(res.status, await res.clone().text()).toBe(200);
    return { id, received_at };
  }

  /**
   * Waits until the matcher has indexed `phone` with `customer` attributed: replies with probe
   * messages until one's incoming_message event names that profile. Profiles reach the matcher
   * through a repartition topic, so there is no other way to know from outside.
   */
  async indexed(project: Project, phone: string, customer: string | null): Promise<void> {
    await eventually(`profile ${customer} indexed on ${phone}`, async () => {
      const body = `probe-${++this.seq}`;
      await this.reply(project, phone, body);
      const event = await eventually(`incoming_message ${body}`, async () => this.campaign(project).find((e) => e.message === body), 15_000);
      return event.customer_id === customer ? true : undefined;
    }, 45_000, 0);
  }

  consent(project: Project): Record<string, unknown>[] {
    return this.log.of('consent', project.name);
  }

  campaign(project: Project): Record<string, unknown>[] {
    return this.log.of('campaign', project.name);
  }

  async blacklist(project: Project, phone: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await this.sys.api(`/v1/projects/${project.name}/blacklist/${encodeURIComponent(phone)}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async blacklisted(project: Project, phone: string): Promise<Record<string, unknown>> {
    return eventually(`${phone} blacklisted in ${project.name}`, async () => {
      const r = await this.blacklist(project, phone);
      return r.status === 200 ? r.body : undefined;
    });
  }

  async sendCheck(project: Project, phone: string, customer_id: string): Promise<{ allowed: boolean; reason?: string }> {
    const res = await this.sys.api(`/v1/projects/${project.name}/send-check`, { method: 'POST', body: JSON.stringify({ phone, customer_id }) });
    expect(res.status).toBe(200);
    return (await res.json()) as { allowed: boolean; reason?: string };
  }
}

/**
 * The whole system for one test file, started before its tests and stopped after: `s()` is the
 * file's Scenario once started.
 */
export function systemForFile(options: Parameters<typeof startSystem>[1] = {}): () => Scenario {
  let sys: System | undefined;
  let log: EventLog | undefined;
  let scenario: Scenario | undefined;
  beforeAll(async () => {
    sys = await startSystem(testConfig(), options);
    log = new EventLog(sys);
    await log.start();
    scenario = new Scenario(sys, log);
  }, 180_000);
  afterAll(async () => {
    await log?.stop();
    await sys?.stop();
  });
  return () => scenario!;
}
