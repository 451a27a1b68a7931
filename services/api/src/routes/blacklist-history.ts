import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '@optline/http';
import type { SettingsTable } from '@optline/settings-table';
import type { BlacklistHistoryStore } from '../blacklist/history-store.ts';
import { API_ROUTES } from '../topology.ts';
import { phoneParams } from './blacklist-entry-schema.ts';
import { phoneOf, requireProject } from './common.ts';

export interface BlacklistHistoryOptions {
  settings: SettingsTable;
  history: BlacklistHistoryStore;
  /** False until the history store has read its topics up to where they ended at start. */
  historyReady: () => boolean;
}

const nullable = (type: string, description?: string) => ({ type: [type, 'null'], ...(description ? { description } : {}) });

const change = {
  type: 'object',
  properties: {
    at: { type: 'integer', description: 'epoch milliseconds' },
    kind: { type: 'string', enum: ['opted_out', 'blocked_manually', 'imported', 'consent_tracked', 'opted_in', 'consent_accepted', 'cleared_manually', 'reply_sent'] },
    status: { type: ['string', 'null'], enum: ['BLOCKED', 'CONSENT_TRACKED', null], description: 'the entry after the change; null: not on the list' },
    source: { type: ['string', 'null'], enum: ['keyword', 'manual', 'import', null] },
    message_id: nullable('string', 'the reply or command that caused it'),
    body: nullable('string', 'the reply text (for reply_sent: the confirmation)'),
    keyword: nullable('string'),
    settings_version: nullable('integer', 'the SMS settings version the reply was matched with'),
    blocked_at: nullable('integer'),
    actor: nullable('string', 'who changed it by hand'),
    reason: nullable('string', 'why, as they said'),
    event_id: { type: 'string', description: 'reply_sent: the confirmation\'s campaign event' },
  },
  required: ['at', 'kind', 'status'],
} as const;

/** GET /v1/projects/{project}/blacklist/{phone}/history: every change of the entry, oldest first. */
export const blacklistHistoryRoutes: FastifyPluginAsync<BlacklistHistoryOptions> = async (scope, { settings, history, historyReady }) => {
  scope.get(API_ROUTES.blacklistHistory, {
    schema: {
      params: phoneParams,
      response: { 200: { type: 'object', properties: { project: { type: 'string' }, phone: { type: 'string' }, changes: { type: 'array', items: change } }, required: ['project', 'phone', 'changes'] } },
    },
    handler: async (request) => {
      const params = request.params as { project: string; phone: string };
      const phone = phoneOf(params.phone, 'params.phone');
      requireProject(settings, params.project);
      if (!historyReady()) throw new HttpError(503, 'not_ready', `the blacklist history is still loading (${history.lag()} records behind)`);
      return { project: params.project, phone, changes: await history.history(params.project, phone) };
    },
  });
};
