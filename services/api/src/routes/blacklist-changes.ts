import type { FastifyPluginAsync } from 'fastify';
import type { BlacklistClient } from '@optline/blacklist-client';
import { reasonProblem } from '@optline/core';
import { HttpError } from '@optline/http';
import type { SettingsTable } from '@optline/settings-table';
import type { BlacklistCommands } from '../blacklist/commands.ts';
import { API_ROUTES } from '../topology.ts';
import { entrySchema, phoneParams } from './blacklist-entry-schema.ts';
import { actorOf, phoneOf, requireProject } from './common.ts';

export interface BlacklistChangeOptions {
  blacklist: BlacklistClient;
  settings: SettingsTable;
  commands: BlacklistCommands;
  now?: () => number;
  /** How long an answer waits for the matcher's decision to reach this instance's copy. */
  changeTimeoutMs?: number;
}

function requireReason(reason: unknown, field: string): string {
  const problem = reasonProblem(reason, field);
  if (problem) throw new HttpError(400, 'reason_required', problem.message, [problem]);
  return (reason as string).trim();
}

const accepted = {
  type: 'object',
  properties: { accepted: { type: 'boolean' }, command_id: { type: 'string' }, message: { type: 'string' } },
  required: ['accepted', 'command_id', 'message'],
} as const;

/**
 * PUT /v1/projects/{project}/blacklist/{phone} {reason}: a manual block; DELETE ...?reason=: a
 * manual clear. Both are commands to the matcher (the only writer of the blacklist); the answer
 * waits until this instance's copy shows the outcome (200), or says the command is accepted and
 * still on its way (202). The caller (`X-Optline-Actor`) is recorded as the actor.
 */
export const blacklistChangeRoutes: FastifyPluginAsync<BlacklistChangeOptions> = async (scope, options) => {
  const { blacklist, settings, commands } = options;
  const now = options.now ?? Date.now;
  const timeoutMs = options.changeTimeoutMs ?? 10_000;
  const waiting = (commandId: string) => ({ accepted: true, command_id: commandId, message: 'the matcher has not applied the change yet; it will' });

  scope.put(API_ROUTES.blacklist, {
    schema: {
      params: phoneParams,
      body: { type: 'object', properties: { reason: { type: 'string', maxLength: 500 } }, additionalProperties: false },
      response: { 200: entrySchema, 202: accepted },
    },
    handler: async (request, reply) => {
      const params = request.params as { project: string; phone: string };
      const phone = phoneOf(params.phone, 'params.phone');
      requireProject(settings, params.project);
      const reason = requireReason((request.body as { reason?: unknown } | undefined)?.reason, 'reason');
      const command = commands.manual(params.project, phone, 'BLOCK', actorOf(request.headers), reason, now());
      await commands.send([command]);
      if (!(await commands.waitFor(() => blacklist.isBlacklisted(params.project, phone), timeoutMs))) return reply.code(202).send(waiting(command.command_id));
      return blacklist.get(params.project, phone);
    },
  });

  scope.delete(API_ROUTES.blacklist, {
    schema: {
      params: phoneParams,
      querystring: { type: 'object', properties: { reason: { type: 'string', maxLength: 500 } } },
      response: {
        200: { type: 'object', properties: { project: { type: 'string' }, phone: { type: 'string' }, blacklisted: { type: 'boolean' } }, required: ['project', 'phone', 'blacklisted'] },
        202: accepted,
      },
    },
    handler: async (request, reply) => {
      const params = request.params as { project: string; phone: string };
      const phone = phoneOf(params.phone, 'params.phone');
      requireProject(settings, params.project);
      const reason = requireReason((request.query as { reason?: unknown }).reason, 'querystring.reason');
      const command = commands.manual(params.project, phone, 'CLEAR', actorOf(request.headers), reason, now());
      await commands.send([command]);
      if (!(await commands.waitFor(() => !blacklist.isBlacklisted(params.project, phone), timeoutMs))) return reply.code(202).send(waiting(command.command_id));
      return { project: params.project, phone, blacklisted: false };
    },
  });
};
