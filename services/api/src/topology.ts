import { topics } from '@optline/kafka';

export const API_ROUTES = {
  projects: '/v1/projects',
  settings: '/v1/projects/:project/sms-settings',
  settingsDefaults: '/v1/sms-settings/defaults',
  blacklist: '/v1/projects/:project/blacklist/:phone',
  sendCheck: '/v1/projects/:project/send-check',
} as const;

/**
 * What the API reads and writes. In: HTTP (Bearer token); `blacklist` tailed into memory
 * (BlacklistClient) and `settings` tailed into memory (SettingsTable), each under a random
 * group id that never commits, so every instance holds both tables whole. Out: `settings`
 * (PUT sms-settings; SmsSettings keyed by project, acks=all, read back before answering) and
 * `campaign` (send-check refusals: CampaignEvent enqueue_failed keyed by customer_id else
 * phone, acks=all, before answering).
 */
export function apiTopology(namespace: string) {
  const named = topics(namespace);
  return {
    topics: named,
    http: [`GET ${API_ROUTES.projects}`, `PUT ${API_ROUTES.settings}`, `GET ${API_ROUTES.settings}`, `GET ${API_ROUTES.settingsDefaults}`, `GET ${API_ROUTES.blacklist}`, `POST ${API_ROUTES.sendCheck}`],
    reads: { blacklist: named.blacklist, settings: named.settings },
    writes: { settings: named.settings, campaign: named.campaign },
  } as const;
}
