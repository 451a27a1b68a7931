import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replyEventId } from '@optline/core';
import type { Consumer, Kafka } from 'kafkajs';
import { AvroSerde, Codec, createKafka, stoppableConsumer, topics } from '@optline/kafka';
import { SinchClient, sinchFromEnv } from '@optline/sinch';
import { loadConfig } from '@optline/runtime';
import { repoRoot } from '@optline/stack';
import { table, waitFor } from '../table.ts';

// A walk through the product page against the running system (`npm start`): a project with
// `stop` and `arret`, two profiles sharing a phone, four replies, the blacklist at once, a
// refused send, and after the window the consent and incoming_message events.

const SHARED_PHONE = '+421 905 123 456';
const SHARED = '00421905123456';
const FRENCH_PHONE = '+33 6 12 34 56 78';
const FRENCH = '0033612345678';
const NPS_PHONE = '+421 905 654 321';
const NPS = '00421905654321';
const DEDICATED = '+421 911 000 111';
const DEDICATED_CANONICAL = '00421911000111';

function credentials(): void {
  const file = join(repoRoot(), '.optline', 'credentials.env');
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(\w+)=(.*)$/.exec(line.trim());
    if (m && !process.env[m[1]!] && m[2]) process.env[m[1]!] = m[2];
  }
}

const say = (line = '') => process.stdout.write(line + '\n');

/**
 * The demo's reader of the events, a consumer that stays stopped once disconnected: a crash
 * during the disconnect (the broker restarting) would otherwise have kafkajs restart it, and the
 * demo would stay up after it printed its tables.
 */
export function eventsConsumer(kafka: Kafka, run: string): Consumer {
  return stoppableConsumer(kafka, { groupId: `optline-demo-${run}`, readUncommitted: false });
}

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    say('Usage: optline demo   (against a running `npm start`; reads .optline/credentials.env)');
    return 0;
  }
  credentials();
  const config = loadConfig();
  const apiUrl = process.env.OPTLINE_API_URL ?? `http://127.0.0.1:${config.apiPort}`;
  const ingressUrl = process.env.OPTLINE_INGRESS_URL ?? `http://127.0.0.1:${config.ingressPort}`;
  const token = process.env.OPTLINE_API_TOKEN ?? '';
  const basic = process.env.OPTLINE_INGRESS_BASIC_AUTH;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

  const run = randomUUID().slice(0, 8);
  const started = Date.now();
  const names = topics(config.topicNamespace);
  const kafka = createKafka(config);
  const serde = new AvroSerde(config.schemaRegistryUrl, names);
  const codec = new Codec(serde);
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();

  say(`1. Project "demo": keywords stop + arret, opt-in start, help, categories sms_marketing + sms_service, number ${DEDICATED},`);
  say('   confirmations for opt-out (a French one for arret) and opt-in, a help text');
  const put = await api('/v1/projects/demo/sms-settings', {
    method: 'PUT',
    body: JSON.stringify({
      trackIncoming: true, optOutEnabled: true, keywords: ['stop', 'arret'], optInKeywords: ['start'], helpKeywords: ['help'],
      consentCategories: ['sms_marketing', 'sms_service'], dedicatedNumbers: [DEDICATED],
      replies: [
        { kind: 'optOut', text: 'Demo: you are unsubscribed and will get no more messages. Reply START to resubscribe.' },
        { kind: 'optOut', text: 'Demo : vous êtes désinscrit et ne recevrez plus de messages.', keywords: ['arret'] },
        { kind: 'optIn', text: 'Demo: you are subscribed again. Reply STOP to unsubscribe.' },
        { kind: 'help', text: 'Demo alerts. Reply STOP to unsubscribe, START to resubscribe.' },
      ],
    }),
  });
  if (!put.ok) throw new Error(`PUT sms-settings answered ${put.status}: ${await put.text()} (is \`npm start\` running? token from .optline/credentials.env?)`);
  const settings = (await put.json()) as { version: number };
  say(`   stored as version ${settings.version}`);

  say('\n2. Profiles (customers.v1) and sent SMS (sms.sent.v1)');
  const profiles = [
    { customer_id: `alice-${run}`, phone: SHARED, sentMinutesAgo: 120 },
    { customer_id: `bob-${run}`, phone: SHARED, sentMinutesAgo: 30 },
    { customer_id: `chloe-${run}`, phone: FRENCH, sentMinutesAgo: 60 },
    { customer_id: `nina-${run}`, phone: NPS, sentMinutesAgo: 10 },
  ];
  for (const p of profiles) {
    await producer.send({ topic: names.customers.name, acks: -1, messages: [{ key: p.customer_id, value: await serde.encode(names.customers.name, { project: 'demo', customer_id: p.customer_id, phone: p.phone, updated_at: started - 86_400_000, deleted: false }) }] });
    const sentAt = started - p.sentMinutesAgo * 60_000;
    await producer.send({ topic: names.sent.name, acks: -1, messages: [{ key: p.phone, value: await serde.encode(names.sent.name, { project: 'demo', customer_id: p.customer_id, phone: p.phone, sender: DEDICATED_CANONICAL, message_id: `sent-${p.customer_id}`, sent_at: sentAt }) }] });
  }
  say(table(['profile', 'phone', 'last SMS sent'], profiles.map((p) => [p.customer_id, p.phone, `${p.sentMinutesAgo} min ago`])));
  await new Promise((r) => setTimeout(r, 3000)); // let the matcher index the profiles

  say('\n3. Replies posted as Sinch callbacks to the ingress');
  const replies = [
    { from: SHARED_PHONE, body: 'STOP' },
    { from: FRENCH_PHONE, body: 'arrêt' },
    { from: NPS_PHONE, body: 'Please stop' },
    { from: NPS_PHONE, body: '9 great' },
  ];
  const rows: string[][] = [];
  let stopAcceptedAt = 0;
  for (const [i, r] of replies.entries()) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (basic) headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
    const res = await fetch(`${ingressUrl}/v1/sinch/inbound`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ type: 'mo_text', id: `demo-${run}-${i}`, from: r.from.replace(/\D/g, ''), to: DEDICATED_CANONICAL, body: r.body, received_at: new Date().toISOString() }),
    });
    if (i === 0) stopAcceptedAt = Date.now();
    rows.push([r.from, JSON.stringify(r.body), String(res.status)]);
  }
  say(table(['from', 'body', 'ingress'], rows));

  say('\n4. The blacklist, at once');
  const entry = await waitFor(async () => {
    const res = await api(`/v1/projects/demo/blacklist/${encodeURIComponent(SHARED_PHONE)}`);
    return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
  }, 10_000);
  say(`   ${SHARED_PHONE}: ${entry ? `${entry.status} by "${entry.keyword}" ${Date.now() - stopAcceptedAt} ms after ingress answered` : 'not blacklisted within 10 s (is the matcher running?)'}`);
  // Another phone, likely another partition: it may land a few milliseconds later.
  const french = await waitFor(async () => {
    const res = await api(`/v1/projects/demo/blacklist/${encodeURIComponent(FRENCH_PHONE)}`);
    return res.ok ? ((await res.json()) as { status: string; keyword: string }) : undefined;
  }, 10_000);
  say(`   ${FRENCH_PHONE}: ${french ? `${french.status} by "${french.keyword}"` : 'not blacklisted within 10 s'}`);
  const nps = await api(`/v1/projects/demo/blacklist/${encodeURIComponent(NPS_PHONE)}`);
  say(`   ${NPS_PHONE}: ${nps.status === 404 ? 'not blacklisted ("Please stop" does not start with a keyword)' : nps.status}`);

  say('\n4b. The confirmations, through Sinch (SPEC.md Flows 5)');
  const sinch = sinchFromEnv();
  if (sinch === null) {
    say('   no OPTLINE_SINCH_SERVICE_PLAN_ID / OPTLINE_SINCH_API_TOKEN: no reply is sent (`npm start` without them runs a sandbox that prints them)');
  } else {
    const client = new SinchClient(sinch);
    for (const i of [0, 1]) {
      const ref = replyEventId('demo', `demo-${run}-${i}`, 'optOut');
      const batch = await waitFor(async () => (await client.findByClientReference(ref).catch(() => null)) ?? undefined, 10_000);
      say(batch
        ? `   ${sinch.servicePlanId === 'sandbox' ? '[sandbox, not sent] ' : ''}from ${batch.from} to ${batch.to.join(', ')}: ${JSON.stringify(batch.body)} (${Date.now() - stopAcceptedAt} ms after ingress answered the STOP)`
        : `   no confirmation for reply ${i + 1} within 10 s (is the replier running?)`);
    }
  }

  say('\n5. A sender asks before sending to alice');
  const check = await api('/v1/projects/demo/send-check', { method: 'POST', body: JSON.stringify({ phone: SHARED_PHONE, customer_id: `alice-${run}` }) });
  say(`   send-check -> ${check.status} ${await check.text()} (an enqueue_failed campaign event is tracked)`);
  await producer.disconnect();

  say(`\n6. Events after the window closes (OPTLINE_WINDOW=${process.env.OPTLINE_WINDOW ?? 'as configured'}); waiting…`);
  const ours = (customer: string | null) => customer === null || customer.endsWith(`-${run}`);
  const consumer = eventsConsumer(kafka, run);
  await consumer.connect();
  await consumer.subscribe({ topics: [names.consent.name, names.campaign.name], fromBeginning: true });
  const consent: string[][] = [];
  const campaign: string[][] = [];
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (!message.value) return;
      const e = await codec.decodeFrom<Record<string, unknown>>(topic, message.value);
      if (e.project !== 'demo' || (e.timestamp as number) < started - 60_000 || !ours(e.customer_id as string | null)) return;
      if (topic === names.consent.name) consent.push([String(e.customer_id), String(e.action), String(e.category), String(e.identification), JSON.stringify(e.message)]);
      else campaign.push([String(e.customer_id), String(e.status), JSON.stringify(e.message), String(e.sender ?? ''), String(e.recipient ?? '')]);
    },
  });
  // 2 profiles x 2 categories + 1 x 2 (arrêt) consent events; 4 incoming + 1 enqueue_failed.
  const deadline = Number(process.env.OPTLINE_DEMO_TIMEOUT_MS ?? 20 * 60_000);
  let lastTick = 0;
  await waitFor(async () => {
    if (Date.now() - lastTick > 10_000) {
      lastTick = Date.now();
      process.stderr.write(`   … ${consent.length}/6 consent, ${campaign.filter((c) => !c[1]!.startsWith('auto_reply')).length}/5 campaign events (and ${campaign.filter((c) => c[1]!.startsWith('auto_reply')).length} replies) after ${Math.round((Date.now() - started) / 1000)} s\n`);
    }
    return consent.length >= 6 && campaign.filter((c) => !c[1]!.startsWith('auto_reply')).length >= 5 ? true : undefined;
  }, deadline);
  await consumer.disconnect();
  say('\n   tracking.consent.v1');
  say(table(['customer_id', 'action', 'category', 'identification', 'message'], consent));
  say('\n   tracking.campaign.v1');
  say(table(['customer_id', 'status', 'message', 'sender', 'recipient'], campaign));
  const ok = consent.length >= 6 && campaign.filter((c) => !c[1]!.startsWith('auto_reply')).length >= 5;
  say(ok ? '\nDone: bob (last SMS) got the incoming_message; alice and bob both got consent rejects.' : '\nNot all events arrived in time.');
  return ok ? 0 : 1;
}
