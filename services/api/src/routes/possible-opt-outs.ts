import type { FastifyPluginAsync } from 'fastify';
import type { BlacklistClient } from '@optline/blacklist-client';
import { REASON_MAX } from '@optline/core';
import { HttpError } from '@optline/http';
import type { SettingsTable } from '@optline/settings-table';
import type { BlacklistCommands } from '../blacklist/commands.ts';
import type { ReviewQueue } from '../possible/review-queue.ts';
import { API_ROUTES } from '../topology.ts';
import { actorOf, requireProject } from './common.ts';

export interface PossibleOptOutRouteOptions {
  blacklist: BlacklistClient;
  settings: SettingsTable;
  commands: BlacklistCommands;
  reviewQueue: ReviewQueue;
  now?: () => number;
  changeTimeoutMs?: number;
}

const item = {
  type: 'object',
  properties: {
    id: { type: 'string' }, project: { type: 'string' }, phone: { type: 'string' }, message_id: { type: 'string' },
    received_at: { type: 'integer' }, body: { type: 'string' }, sender: { type: 'string' }, recipient: { type: 'string' },
    reason: { type: 'string' }, rule: { type: 'string' }, language: { type: ['string', 'null'] }, evidence: { type: 'string' },
    keyword: { type: ['string', 'null'] },
  },
  required: ['id', 'project', 'phone', 'message_id', 'received_at', 'body', 'reason', 'rule', 'evidence'],
} as const;

const projectParams = { type: 'object', properties: { project: { type: 'string', maxLength: 128 } }, required: ['project'] } as const;
const itemParams = {
  type: 'object', properties: { project: { type: 'string', maxLength: 128 }, id: { type: 'string', maxLength: 64 } }, required: ['project', 'id'],
} as const;

/**
 * GET /v1/projects/{project}/possible-opt-outs: the review queue (items no one decided yet,
 * oldest first). POST .../possible-opt-outs/{id} {decision: confirm|dismiss}: confirm blocks the
 * phone by hand (source manual, the caller as actor) through the matcher, like PUT blacklist;
 * dismiss changes nothing. Either way the item leaves the queue; a second decision is 409.
 */
export const possibleOptOutRoutes: FastifyPluginAsync<PossibleOptOutRouteOptions> = async (scope, options) => {
  const { blacklist, settings, commands, reviewQueue } = options;
  const now = options.now ?? Date.now;
  const timeoutMs = options.changeTimeoutMs ?? 10_000;

  scope.get(API_ROUTES.possibleOptOuts, {
    schema: {
      params: projectParams,
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: item } }, required: ['items'] } },
    },
    handler: async (request) => {
      const { project } = request.params as { project: string };
      requireProject(settings, project);
      await reviewQueue.sync();
      return { items: reviewQueue.pending(project) };
    },
  });

  scope.post(API_ROUTES.possibleOptOut, {
    schema: {
      params: itemParams,
      body: {
        type: 'object', properties: { decision: { type: 'string', enum: ['confirm', 'dismiss'] } }, required: ['decision'], additionalProperties: false,
      },
      response: {
        200: {
          type: 'object',
          properties: {
            id: { type: 'string' }, decision: { type: 'string' }, actor: { type: 'string' }, blacklisted: { type: 'boolean' },
            command_id: { type: ['string', 'null'] },
          },
          required: ['id', 'decision', 'actor', 'blacklisted'],
        },
      },
    },
    handler: async (request) => {
      const { project, id } = request.params as { project: string; id: string };
      const { decision } = request.body as { decision: 'confirm' | 'dismiss' };
      requireProject(settings, project);
      await reviewQueue.sync();
      const found = reviewQueue.item(project, id);
      if (found === null) throw new HttpError(404, 'not_found', `no possible opt-out ${JSON.stringify(id)} in project ${JSON.stringify(project)}`);
      if (found.decision !== null) {
        throw new HttpError(409, 'already_decided', `possible opt-out ${id} was decided already: ${found.decision.decision} by ${found.decision.actor}`);
      }
      const actor = actorOf(request.headers);
      const { phone } = found.item;
      let commandId: string | null = null;
      if (decision === 'confirm') {
        const command = commands.manual(project, phone, 'BLOCK', actor, `possible opt-out confirmed: ${found.item.reason}`.slice(0, REASON_MAX), now());
        await commands.send([command]);
        commandId = command.command_id;
      }
      await reviewQueue.decide({ id, project, phone, decision, actor, decided_at: now(), command_id: commandId });
      const blacklisted = decision === 'confirm' ? await commands.waitFor(() => blacklist.isBlacklisted(project, phone), timeoutMs) : blacklist.isBlacklisted(project, phone);
      return { id, decision, actor, blacklisted, command_id: commandId };
    },
  });
};
