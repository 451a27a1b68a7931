import type { FastifyPluginAsync } from 'fastify';
import type { BlacklistClient } from '@optline/blacklist-client';
import { HttpError } from '@optline/http';
import type { SettingsTable } from '@optline/settings-table';
import { API_ROUTES } from '../topology.ts';
import { entrySchema, phoneParams } from './blacklist-entry-schema.ts';
import { phoneOf, requireProject } from './common.ts';

export interface BlacklistRouteOptions {
  blacklist: BlacklistClient;
  settings: SettingsTable;
}

/** GET /v1/projects/{project}/blacklist/{phone}: the entry, from memory; any phone form. */
export const blacklistRoutes: FastifyPluginAsync<BlacklistRouteOptions> = async (scope, { blacklist, settings }) => {
  scope.get(API_ROUTES.blacklist, {
    schema: {
      params: phoneParams,
      response: { 200: entrySchema },
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
