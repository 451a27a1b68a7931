import { topics } from '@optline/kafka';

export const API_ROUTES = {
  projects: '/v1/projects',
  overview: '/v1/projects/:project/overview',
  settings: '/v1/projects/:project/sms-settings',
  settingsDefaults: '/v1/sms-settings/defaults',
  blacklist: '/v1/projects/:project/blacklist/:phone',
  blacklistList: '/v1/projects/:project/blacklist',
  blacklistImport: '/v1/projects/:project/blacklist/import',
  blacklistHistory: '/v1/projects/:project/blacklist/:phone/history',
  sendCheck: '/v1/projects/:project/send-check',
  possibleOptOuts: '/v1/projects/:project/possible-opt-outs',
  possibleOptOut: '/v1/projects/:project/possible-opt-outs/:id',
} as const;

/**
 * What the API reads and writes. In: HTTP (Bearer token); `blacklist` tailed into memory
 * (BlacklistClient) and `settings` tailed into memory (SettingsTable), each under a random
 * group id that never commits, so every instance holds both tables whole. Out: `settingsCommands`
 * (PUT sms-settings: SettingsCommand keyed by project, acks=all; the answer waits for its
 * SettingsOutcome on `settingsOutcomes` and for the stored version on `settings`) and
 * `campaign` (send-check refusals: CampaignEvent enqueue_failed keyed by customer_id else
 * phone, acks=all, before answering).
 *
 * The settings writer (one task, on whichever instance the group gives the command partition)
 * reads `settingsCommands` and writes `settings` and `settingsOutcomes` in one transaction:
 * the only writer of the settings topic.
 */
export function apiTopology(namespace: string) {
  const named = topics(namespace);
  return {
    topics: named,
    http: [`GET ${API_ROUTES.projects}`, `GET ${API_ROUTES.overview}`, `PUT ${API_ROUTES.settings}`, `GET ${API_ROUTES.settings}`, `GET ${API_ROUTES.settingsDefaults}`, `GET ${API_ROUTES.blacklist}`, `POST ${API_ROUTES.sendCheck}`,
      `GET ${API_ROUTES.blacklistList}`, `PUT ${API_ROUTES.blacklist}`, `DELETE ${API_ROUTES.blacklist}`, `POST ${API_ROUTES.blacklistImport}`, `GET ${API_ROUTES.blacklistHistory}`,
      `GET ${API_ROUTES.possibleOptOuts}`, `POST ${API_ROUTES.possibleOptOut}`],
    reads: {
      blacklist: named.blacklist, settings: named.settings, settingsOutcomes: named.settingsOutcomes, blacklistHistory: named.blacklistHistory, campaign: named.campaign,
      // The console's Overview (ActivityReader), from 24 h ago, never committed.
      facts: named.facts, replies: named.replies, replyAttempts: named.replyAttempts,
      // The review queue (ReviewQueue): the matcher's items and the API's own decisions.
      possibleOptOuts: named.possibleOptOuts, possibleOptOutDecisions: named.possibleOptOutDecisions,
    },
    writes: {
      settingsCommands: named.settingsCommands, campaign: named.campaign, blacklistCommands: named.blacklistCommands,
      /** Confirm or dismiss of a review-queue item, keyed <project>:<id>, acks=all; confirm also sends a BLOCK command. */
      possibleOptOutDecisions: named.possibleOptOutDecisions,
    },
    settingsWriter: {
      reads: { settingsCommands: named.settingsCommands },
      writes: { settings: named.settings, settingsOutcomes: named.settingsOutcomes },
    },
  } as const;
}
