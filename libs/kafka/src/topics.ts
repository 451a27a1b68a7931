import type { Admin, ITopicConfig } from 'kafkajs';
import { defaultMinInsyncReplicas, type OptlineConfig } from '@optline/runtime';

export interface TopicSpec {
  name: string;
  /** The Avro record of values, registered as `<name>-value`; null for raw-byte topics. */
  valueSchema: string | null;
  compacted: boolean;
  doc: string;
  /** A fixed partition count, for topics whose order is the point (one writer, in order); else the config's. */
  partitions?: number;
  /** retention.ms set on the topic (a compacted topic with it is `compact,delete`). */
  retentionMs?: number;
  /** segment.ms: how long before records can be deleted by retention at the latest. */
  segmentMs?: number;
}

/** History of opt-out list changes: 5 years, longer than the TCPA's 4-year limitation period for claims. */
export const BLACKLIST_HISTORY_RETENTION_MS = 5 * 366 * 24 * 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;
/** Reply intents: long past their 24 h give-up time; a segment is deletable a day after it opened. */
export const REPLIES_RETENTION_MS = 7 * DAY_MS;
export const REPLIES_SEGMENT_MS = DAY_MS;
/**
 * A reply's delivery record must outlive every copy of the reply on the replies topic (or a
 * replier reading it again, e.g. after its group's offsets expired, would not know it was sent):
 * longer than the replies' retention plus one segment. After that it is deleted, not kept for ever.
 */
export const REPLY_ATTEMPTS_RETENTION_MS = REPLIES_RETENTION_MS + REPLIES_SEGMENT_MS + DAY_MS;

/** Every topic of SPEC.md's table and the internal ones, in one place. */
export const TOPICS = {
  inbound: { name: 'sms.inbound.v1', valueSchema: 'InboundSms', compacted: false, doc: 'input: replies, keyed by canonical sender phone' },
  customers: { name: 'customers.v1', valueSchema: 'CustomerProfile', compacted: false, doc: 'input: profiles, keyed by customer_id' },
  sent: { name: 'sms.sent.v1', valueSchema: 'SmsSent', compacted: false, doc: 'input: sent SMS, keyed by canonical phone' },
  consent: { name: 'tracking.consent.v1', valueSchema: 'ConsentEvent', compacted: false, doc: 'output: consent events' },
  campaign: { name: 'tracking.campaign.v1', valueSchema: 'CampaignEvent', compacted: false, doc: 'output: campaign events' },
  blacklist: { name: 'sms.blacklist.v1', valueSchema: 'BlacklistEntry', compacted: true, doc: 'output: blacklist, keyed <project>:<phone>' },
  settings: { name: 'optline.settings.v1', valueSchema: 'SmsSettings', compacted: true, doc: 'internal: SMS settings per project' },
  settingsCommands: { name: 'optline.settings-commands.v1', valueSchema: 'SettingsCommand', compacted: false, partitions: 1, doc: 'internal: settings changes, applied in order by the one settings writer' },
  settingsOutcomes: { name: 'optline.settings-outcomes.v1', valueSchema: 'SettingsOutcome', compacted: false, partitions: 1, doc: 'internal: what the settings writer did with each command, read by the API that sent it' },
  facts: { name: 'optline.facts.v1', valueSchema: 'MatcherFact', compacted: false, doc: 'internal: matcher facts for the materializer' },
  customersByPhone: { name: 'optline.matcher.customers-by-phone.v1', valueSchema: 'CustomerProfile', compacted: false, doc: 'internal: customers.v1 repartitioned by phone (a changed phone also goes to the old one); co-partitioned with sms.inbound.v1' },
  acceptsByPhone: { name: 'optline.matcher.consent-accepts-by-phone.v1', valueSchema: 'ConsentEvent', compacted: false, doc: 'internal: consent accept events repartitioned by phone; co-partitioned with sms.inbound.v1' },
  consentTracked: { name: 'optline.consent-tracked.v1', valueSchema: 'ConsentTracked', compacted: false, doc: 'internal: the materializer tracked an opt-out\'s consent events, keyed by canonical phone; co-partitioned with sms.inbound.v1, read by the matcher' },
  phoneStateChangelog: { name: 'optline.matcher.phone-state-changelog.v1', valueSchema: 'PhoneState', compacted: true, doc: 'internal: changelog of the matcher phone-state store, keyed <project>:<phone>; co-partitioned with sms.inbound.v1' },
  customerPhoneChangelog: { name: 'optline.matcher.customer-phone-changelog.v1', valueSchema: 'CustomerPhone', compacted: true, doc: 'internal: changelog of the matcher customer -> phone store, keyed <project>:<customer_id>; partitioned as customers.v1' },
  replies: { name: 'optline.replies.v1', valueSchema: 'ReplyIntent', compacted: false, retentionMs: REPLIES_RETENTION_MS, segmentMs: REPLIES_SEGMENT_MS, doc: 'internal: replies the matcher decided (written in the transaction of their cause) for the replier, keyed <project>:<phone>' },
  replyAttempts: { name: 'optline.replier.attempts.v1', valueSchema: 'ReplyAttempt', compacted: true, retentionMs: REPLY_ATTEMPTS_RETENTION_MS, doc: 'internal: the replier\'s delivery record per reply (STARTED before calling Sinch, then SENT or FAILED), keyed event_id' },
  blacklistCommands: { name: 'optline.blacklist-commands.v1', valueSchema: 'BlacklistCommand', compacted: false, doc: 'internal: opt-out list changes from the API (manual block/clear, imported lines), keyed by canonical phone; co-partitioned with sms.inbound.v1, read by the matcher' },
  blacklistHistory: { name: 'optline.blacklist-history.v1', valueSchema: 'BlacklistChange', compacted: false, retentionMs: BLACKLIST_HISTORY_RETENTION_MS, doc: 'internal: every change of a blacklist entry with what explains it, keyed <project>:<phone>; written by the matcher, read by the api' },
  possibleOptOuts: { name: 'optline.possible-opt-outs.v1', valueSchema: 'PossibleOptOut', compacted: true, doc: 'internal: the review queue of possible opt-outs (possibleOptOuts: flag), keyed <project>:<id>; written by the matcher, read by the api' },
  possibleOptOutDecisions: { name: 'optline.possible-opt-out-decisions.v1', valueSchema: 'PossibleOptOutDecision', compacted: true, doc: 'internal: operators\' decisions on the review queue (confirm, dismiss), keyed <project>:<id>; written and read by the api' },
  deadLetter: { name: 'optline.dead-letter.v1', valueSchema: null, compacted: false, doc: 'rejected input: raw bytes, reason in headers' },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;
export type Topics = { readonly [K in TopicKey]: TopicSpec };

/** The topics with their names under a namespace (`<namespace>.<name>`; none by default). */
export function topics(namespace = ''): Topics {
  const entries = Object.entries(TOPICS).map(([key, spec]) => [key, { ...spec, name: namespace ? `${namespace}.${spec.name}` : spec.name }]);
  return Object.fromEntries(entries) as unknown as Topics;
}

/** A consumer group (or other client id) of optline under a namespace, as its topics are named. */
export function groupId(namespace: string, name: string): string {
  return namespace ? `${namespace}.${name}` : name;
}

/** What topic creation reads from the config; min ISR falls back to the config's default rule. */
export type TopicSizing = Pick<OptlineConfig, 'partitions' | 'replicationFactor'> & Partial<Pick<OptlineConfig, 'minInsyncReplicas'>>;

export function topicConfig(spec: TopicSpec, config: TopicSizing, partitions?: number): ITopicConfig {
  const configEntries = [
    { name: 'cleanup.policy', value: spec.compacted ? (spec.retentionMs === undefined ? 'compact' : 'compact,delete') : 'delete' },
    // Set on the topic, not left to the broker's default: a managed cluster's default is often 1,
    // and then acks=all (what ingress waits for before its 2xx) can mean a single copy.
    { name: 'min.insync.replicas', value: String(config.minInsyncReplicas ?? defaultMinInsyncReplicas(config.replicationFactor)) },
  ];
  if (spec.compacted) configEntries.push({ name: 'min.cleanable.dirty.ratio', value: '0.1' });
  if (spec.retentionMs !== undefined) configEntries.push({ name: 'retention.ms', value: String(spec.retentionMs) });
  if (spec.segmentMs !== undefined) configEntries.push({ name: 'segment.ms', value: String(spec.segmentMs) });
  return { topic: spec.name, numPartitions: partitions ?? spec.partitions ?? config.partitions, replicationFactor: config.replicationFactor, configEntries };
}

/**
 * Creates the topics that do not exist yet. Existing topics are left as they are (their
 * partition count is part of their keys' placement and must not change under running services).
 */
export async function provisionTopics(admin: Admin, config: TopicSizing, specs: readonly TopicSpec[] = Object.values(TOPICS)): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length === 0) return [];
  // Asked first, because Kafka's own answer (INVALID_REPLICATION_FACTOR) names neither the
  // brokers it sees nor the variable to change.
  const { brokers } = await admin.describeCluster();
  const tooSmall = clusterTooSmall(brokers.map((b) => `${b.host}:${b.port}`), config);
  if (tooSmall) throw new ClusterTooSmallError(tooSmall);
  try {
    await admin.createTopics({ topics: missing.map((s) => topicConfig(s, config)), waitForLeaders: true });
  } catch (err) {
    // Another process may have created some of them meanwhile, or the broker's metadata lags
    // the controller (KRaft answers UNKNOWN_TOPIC_OR_PARTITION for a moment after a creation,
    // which kafkajs' waitForLeaders does not retry): only a topic still missing after a short
    // wait is an error.
    if (!(await appeared(admin, missing.map((s) => s.name), 15_000))) throw err;
  }
  return missing.map((s) => s.name);
}

export class ClusterTooSmallError extends Error {
  override name = 'ClusterTooSmallError';
}

/** Why topics of this sizing cannot be created on a cluster of these brokers; undefined when they can. */
export function clusterTooSmall(brokers: readonly string[], config: TopicSizing): string | undefined {
  if (brokers.length >= config.replicationFactor) return undefined;
  const seen = brokers.length ? brokers.join(', ') : 'none';
  return (
    `OPTLINE_REPLICATION_FACTOR is ${config.replicationFactor}, but the cluster has ${brokers.length} broker(s) (${seen}): ` +
    `each partition needs ${config.replicationFactor} brokers. Start more brokers (npx optline stack up --brokers ${config.replicationFactor}) or lower OPTLINE_REPLICATION_FACTOR.`
  );
}

async function appeared(admin: Admin, names: string[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = new Set(await admin.listTopics());
    if (names.every((n) => now.has(n))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}
