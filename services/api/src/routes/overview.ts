import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '@optline/http';
import type { SettingsTable } from '@optline/settings-table';
import type { Activity } from '../overview/activity.ts';
import { API_ROUTES } from '../topology.ts';
import { projectParam, requireProject } from './common.ts';

export interface OverviewRouteOptions {
  settings: SettingsTable;
  /** Fed by the ActivityReader; absent, the route answers 503. */
  activity?: Activity;
  now?: () => number;
}

const ms = { type: ['number', 'null'], description: 'milliseconds; null without samples' } as const;
const latency = { type: 'object', properties: { count: { type: 'integer' }, p50: ms, p99: ms }, required: ['count', 'p50', 'p99'] } as const;

const overview = {
  type: 'object',
  properties: {
    from: { type: 'integer', description: 'start of the first hour, epoch milliseconds' },
    to: { type: 'integer', description: 'end of the last (current) hour' },
    hours: {
      type: 'array',
      items: { type: 'object', properties: { start: { type: 'integer' }, optOuts: { type: 'integer' }, replies: { type: 'integer' } }, required: ['start', 'optOuts', 'replies'] },
    },
    latency: {
      type: 'object',
      properties: {
        inboundToBlacklisted: { ...latency, description: 'inbound record (ingress 2xx) to the transaction that blacklists the phone' },
        inboundToConfirmation: { ...latency, description: 'inbound record to Sinch accepting the opt-out confirmation' },
      },
      required: ['inboundToBlacklisted', 'inboundToConfirmation'],
    },
  },
  required: ['from', 'to', 'hours', 'latency'],
} as const;

/** GET /v1/projects/{project}/overview: the console's Overview, the last 24 hours by the hour. */
export const overviewRoutes: FastifyPluginAsync<OverviewRouteOptions> = async (scope, { settings, activity, now = Date.now }) => {
  scope.get(API_ROUTES.overview, {
    schema: { summary: 'Opt-outs and replies per hour over 24 h, and p50/p99 latencies', params: projectParam, response: { 200: overview } },
    handler: async (request) => {
      const { project } = request.params as { project: string };
      requireProject(settings, project);
      if (!activity) throw new HttpError(503, 'overview_unavailable', 'this API instance does not read the activity topics');
      return activity.overview(project, now());
    },
  });
};
