import type { FastifyPluginAsync } from 'fastify';
import type { BlacklistClient } from '@optline/blacklist-client';
import { HttpError } from '@optline/http';
import type { SettingsTable } from '@optline/settings-table';
import { API_ROUTES } from '../topology.ts';
import { phoneOf, requireProject } from './common.ts';

export interface BlacklistRouteOptions {
  blacklist: BlacklistClient;
  settings: SettingsTable;
}

const millis = { type: 'integer', description: 'epoch milliseconds' } as const;

const entry = {
  type: 'object',
  properties: {
    project: { type: 'string' },
    phone: { type: 'string' },
    status: { type: 'string', enum: ['BLOCKED', 'CONSENT_TRACKED'] },
    keyword: { type: 'string' },
    message_id: { type: 'string' },
    blocked_at: millis,
    updated_at: millis,
  },
  required: ['project', 'phone', 'status', 'keyword', 'message_id', 'blocked_at', 'updated_at'],
} as const;

/** GET /v1/projects/{project}/blacklist/{phone}: the entry, from memory; any phone form. */
export const blacklistRoutes: FastifyPluginAsync<BlacklistRouteOptions> = async (scope, { blacklist, settings }) => {
  scope.get(API_ROUTES.blacklist, {
    schema: {
      params: {
        type: 'object',
        properties: { project: { type: 'string', minLength: 1, maxLength: 128 }, phone: { type: 'string', minLength: 1, maxLength: 64 } },
        required: ['project', 'phone'],
      },
      response: { 200: entry },
    },
    handler: async (request) => {
      const params = request.params as { project: string; phone: string };
      const phone = phoneOf(params.phone, 'params.phone');
      requireProject(settings, params.project);
      const found = blacklist.get(params.project, phone);
      if (!found) throw new HttpError(404, 'not_blacklisted', `phone ${phone} is not blacklisted in project ${JSON.stringify(params.project)}`);
      return found;
    },
  });
};
