import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLog } from '../support/events.ts';
import { producersOf, transactionalIds } from '../support/kafka-view.ts';
import { testConfig } from '../support/index.ts';
import { eventually, startSystem, type System } from '../support/system.ts';
import { canonical, randomPhone, Scenario } from './helpers.ts';

// The product page, end to end: Sinch callbacks into ingress, the matcher, the materializer's
// windows and the API, over a real broker and registry. Each test has a project of its own.

let sys: System;
let log: EventLog;
let s: Scenario;

beforeAll(async () => {
  sys = await startSystem(testConfig());
  log = new EventLog(sys);
  await log.start();
  s = new Scenario(sys, log);
}, 180_000);

afterAll(async () => {
  await log?.stop();
  await sys?.stop();
});

describe('keyword examples of the product page (stop, arret)', () => {
  const match = ['STOP', 'Stop', 'stop', ' stop', 'šťóp', 'stopwatches', 'Arret', 'ARRET', 'arret', 'arrêt'];
  const noMatch = ['Please stop', 'Unsubscribe me', 'Garret', 'barret'];

  it('blacklists each phone whose reply starts with a keyword, and no other', async () => {
    const project = await s.project();
    const phones = new Map([...match, ...noMatch].map((body) => [body, randomPhone()]));
    for (const [body, phone] of phones) await s.reply(project, phone, body);
    for (const body of match) {
      const entry = await s.blacklisted(project, phones.get(body)!);
      expect(entry, body).toMatchObject({ status: 'BLOCKED', keyword: /^a/i.test(body) ? 'arret' : 'stop' });
    }
    // Every reply is tracked; once all incoming_message events are out, the matcher has decided them all.
    await eventually('all replies tracked', async () => (s.campaign(project).length >= phones.size ? true : undefined));
    for (const body of noMatch) expect((await s.blacklist(project, phones.get(body)!)).status, body).toBe(404);
  });
});

describe('opt-out flow', () => {
  it('two profiles on a phone: STOP unsubscribes both, the incoming message goes to the one that got the last SMS', async () => {
    const project = await s.project({ consentCategories: ['sms_marketing', 'sms_service'] });
    const phone = randomPhone();
    await s.profile(project, 'alice', phone);
    await s.profile(project, 'bob', phone);
    await s.sent(project, 'alice', phone, Date.now() - 7_200_000);
    await s.sent(project, 'bob', phone, Date.now() - 600_000);
    await s.indexed(project, phone, 'bob');

    const stop = await s.reply(project, phone, 'STOP');
    expect(await s.blacklisted(project, phone)).toMatchObject({ status: 'BLOCKED', keyword: 'stop', message_id: stop.id });

    const consent = await eventually('4 consent events', async () => {
      const events = s.consent(project);
      return events.length >= 4 ? events : undefined;
    });
    expect(consent.map((e) => `${e.customer_id}/${e.category}`).sort()).toEqual(['alice/sms_marketing', 'alice/sms_service', 'bob/sms_marketing', 'bob/sms_service']);
    for (const e of consent) {
      expect(e).toMatchObject({ project: project.name, timestamp: stop.received_at, action: 'reject', source: 'sms_reply', identification: canonical(phone), identification_type: 'phone', message: 'STOP' });
      expect(e.imported_timestamp as number).toBeGreaterThanOrEqual(stop.received_at);
    }
    const incoming = await eventually('incoming_message of STOP', async () => s.campaign(project).find((e) => e.message === 'STOP'));
    expect(incoming).toMatchObject({ customer_id: 'bob', status: 'incoming_message', action_type: 'sms', timestamp: stop.received_at, sender: canonical(phone), recipient: project.dedicated });
    await eventually('status CONSENT_TRACKED', async () => ((await s.blacklist(project, phone)).body.status === 'CONSENT_TRACKED' ? true : undefined));
    expect(s.consent(project)).toHaveLength(4); // and no duplicates after the window
  });

  it('more than 10 profiles on a phone: the 10 most recently active are unsubscribed', async () => {
    const project = await s.project();
    const phone = randomPhone();
    const now = Date.now();
    for (let i = 0; i < 12; i++) {
      await s.profile(project, `p${i}`, phone);
      await s.sent(project, `p${i}`, phone, now - (12 - i) * 60_000); // p11 got the latest SMS
    }
    await s.indexed(project, phone, 'p11');
    await s.reply(project, phone, 'stop');
    const consent = await eventually('10 consent events', async () => {
      const events = s.consent(project);
      return events.length >= 10 ? events : undefined;
    });
    expect(consent.map((e) => e.customer_id).sort()).toEqual(['p10', 'p11', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9']);
  });

  it('with no profile on the phone the reply is tracked with the phone and no customer_id', async () => {
    const project = await s.project();
    const phone = randomPhone();
    await s.reply(project, phone, 'Stop');
    await s.blacklisted(project, phone);
    const incoming = await eventually('incoming_message', async () => s.campaign(project).find((e) => e.message === 'Stop'));
    expect(incoming).toMatchObject({ customer_id: null, sender: canonical(phone) });
    expect(s.consent(project)).toEqual([]);
  });
});

describe('settings', () => {
  it('trackIncoming off: consent events but no incoming_message', async () => {
    const project = await s.project();
    const phone = randomPhone();
    await s.profile(project, 'carol', phone);
    await s.indexed(project, phone, 'carol');
    await s.settings(project, { trackIncoming: false });
    await s.reply(project, phone, 'STOP');
    await s.blacklisted(project, phone);
    await eventually('consent event', async () => (s.consent(project).length >= 1 ? true : undefined));
    expect(s.campaign(project).filter((e) => e.message === 'STOP')).toEqual([]);
  });

  it('optOutEnabled off: no blacklist, the reply is still tracked', async () => {
    const project = await s.project({ optOutEnabled: false });
    const phone = randomPhone();
    await s.reply(project, phone, 'STOP');
    await eventually('incoming_message', async () => s.campaign(project).find((e) => e.message === 'STOP'));
    expect((await s.blacklist(project, phone)).status).toBe(404);
    expect(s.consent(project)).toEqual([]);
  });

  it('a settings change applies to the messages after it', async () => {
    const project = await s.project({ keywords: ['stop'] });
    const phone = randomPhone();
    await s.reply(project, phone, 'halt please');
    await eventually('first reply tracked', async () => s.campaign(project).find((e) => e.message === 'halt please'));
    expect((await s.blacklist(project, phone)).status).toBe(404);
    const stored = await s.settings(project, { keywords: ['stop', 'halt'] });
    expect(stored.version).toBe(2);
    await s.reply(project, phone, 'HALT');
    expect(await s.blacklisted(project, phone)).toMatchObject({ keyword: 'halt' });
  });
});

describe('send check', () => {
  it('refuses a blacklisted phone with enqueue_failed, also for a profile created after the opt-out, until an opt-in keyword', async () => {
    const project = await s.project();
    const phone = randomPhone();
    expect(await s.sendCheck(project, phone, 'dora')).toEqual({ allowed: true });
    await s.reply(project, phone, 'STOP');
    await s.blacklisted(project, phone);
    expect(await s.sendCheck(project, phone, 'dora')).toMatchObject({ allowed: false, reason: 'blacklisted' });
    const failed = await eventually('enqueue_failed', async () => s.campaign(project).find((e) => e.status === 'enqueue_failed'));
    expect(failed).toMatchObject({ customer_id: 'dora', action_type: 'sms', message: 'Phone number is blacklisted by an opt-out keyword.' });

    await s.profile(project, 'newcomer', phone);
    expect(await s.sendCheck(project, phone, 'newcomer')).toMatchObject({ allowed: false });

    await s.reply(project, phone, 'START');
    await eventually('allowed after START', async () => ((await s.sendCheck(project, phone, 'dora')).allowed ? true : undefined));
    expect((await s.blacklist(project, phone)).status).toBe(404);
  });

  it('a consent accept tracked elsewhere clears the blacklist', async () => {
    const project = await s.project();
    const phone = randomPhone();
    const stop = await s.reply(project, phone, 'STOP');
    await s.blacklisted(project, phone);
    await sys.produce(sys.topics.consent.name, 'erin', {
      event_id: `accept-${stop.id}`, project: project.name, customer_id: 'erin', timestamp: Date.now(), imported_timestamp: Date.now(),
      action: 'accept', source: 'crm', category: 'sms_marketing', identification: canonical(phone), identification_type: 'phone', message: null,
    });
    await eventually('allowed after consent accept', async () => ((await s.sendCheck(project, phone, 'erin')).allowed ? true : undefined));
  });
});

// Last: after every flow above (opt-outs, CONSENT_TRACKED, opt-in keywords, consent accepts,
// send checks) has written the blacklist, Kafka itself says who wrote it.
describe("Kafka's own view", () => {
  it('only the matcher\'s transactional producers (phones tasks) ever wrote sms.blacklist.v1', () => {
    const brokers = sys.config.kafkaBrokers.join(',');
    const topic = sys.topics.blacklist.name;
    const producers = Array.from({ length: sys.config.partitions }, (_, p) => producersOf(brokers, topic, p)).flat();
    expect(producers.length).toBeGreaterThan(0);
    const owners = transactionalIds(brokers);
    const writers = [...new Set(producers.map((id) => owners.get(id) ?? `non-transactional producer ${id}`))];
    const matcherTask = new RegExp(`^${sys.config.topicNamespace.replaceAll('.', '\\.')}\\.optline\\.matcher\\.phones-\\d+$`);
    for (const writer of writers) expect(writer, 'a producer of sms.blacklist.v1').toMatch(matcherTask);
  }, 120_000);
});
