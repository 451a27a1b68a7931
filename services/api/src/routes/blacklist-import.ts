import type { FastifyPluginAsync } from 'fastify';
import type { BlacklistClient } from '@optline/blacklist-client';
import { reasonProblem } from '@optline/core';
import { HttpError } from '@optline/http';
import type { Logger } from '@optline/runtime';
import type { SettingsTable } from '@optline/settings-table';
import type { BlacklistCommands } from '../blacklist/commands.ts';
import { parseImport, type ImportFormat } from '../blacklist/import-lines.ts';
import { API_ROUTES } from '../topology.ts';
import { actorOf, requireProject } from './common.ts';

export interface BlacklistImportOptions {
  blacklist: BlacklistClient;
  settings: SettingsTable;
  commands: BlacklistCommands;
  logger: Logger;
  now?: () => number;
  /** How long the answer waits for the imported phones to be on this instance's copy. */
  importTimeoutMs?: number;
}

/** About two million lines of CSV; a larger list goes in several requests. */
export const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;
const MAX_REFUSED = 10_000;

const FORMATS: Record<string, ImportFormat> = { 'text/csv': 'csv', 'application/x-ndjson': 'jsonl', 'application/jsonl': 'jsonl', 'application/json-lines': 'jsonl', 'text/plain': 'csv' };

/**
 * POST /v1/projects/{project}/blacklist/import: a CSV (`phone`, optional `opted_out_at`) or JSON
 * lines. Bad lines are refused by number, field and rule; the good ones become import commands
 * to the matcher, except phones already on the list (an import never replaces an entry: the same
 * file twice changes nothing). The answer waits until the imported phones are on this instance's
 * copy, so a send-check right after refuses them.
 */
export const blacklistImportRoutes: FastifyPluginAsync<BlacklistImportOptions> = async (scope, options) => {
  const { blacklist, settings, commands, logger } = options;
  const now = options.now ?? Date.now;
  for (const type of Object.keys(FORMATS)) {
    scope.addContentTypeParser(type, { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_request, body, done) => done(null, body));
  }
  const refusedItem = {
    type: 'object',
    properties: { line: { type: 'integer' }, field: { type: 'string' }, rule: { type: 'string' }, message: { type: 'string' } },
    required: ['line', 'field', 'rule', 'message'],
  } as const;

  scope.post(API_ROUTES.blacklistImport, {
    bodyLimit: IMPORT_BODY_LIMIT,
    schema: {
      params: { type: 'object', properties: { project: { type: 'string', minLength: 1, maxLength: 128 } }, required: ['project'] },
      querystring: { type: 'object', properties: { reason: { type: 'string', maxLength: 500 } }, additionalProperties: false },
      body: { type: 'string', description: 'text/csv with a header line naming a phone column (and optionally opted_out_at, RFC 3339), or application/x-ndjson: one {"phone", "opted_out_at"?} per line' },
      response: {
        200: {
          type: 'object',
          properties: {
            lines: { type: 'integer', description: 'phones read (good lines, each phone once)' },
            imported: { type: 'integer', description: 'phones put on the list by this import' },
            already_listed: { type: 'integer', description: 'phones that were on the list already (left as they were)' },
            duplicates: { type: 'integer', description: 'lines repeating a phone of an earlier line' },
            visible: { type: 'boolean', description: 'every imported phone is refused at send-check already' },
            refused: { type: 'array', items: refusedItem },
            refused_total: { type: 'integer' },
          },
          required: ['lines', 'imported', 'already_listed', 'duplicates', 'visible', 'refused', 'refused_total'],
        },
      },
    },
    handler: async (request) => {
      const { project } = request.params as { project: string };
      requireProject(settings, project);
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const format = FORMATS[type];
      if (format === undefined || typeof request.body !== 'string') {
        const message = 'send the list as text/csv (a phone column, optional opted_out_at) or application/x-ndjson (JSON lines)';
        throw new HttpError(415, 'unsupported_media_type', message, [{ field: 'headers.content-type', rule: 'media_type', message }]);
      }
      const givenReason = (request.query as { reason?: string }).reason;
      const reason = givenReason === undefined ? 'imported list' : givenReason.trim();
      const problem = reasonProblem(reason, 'querystring.reason');
      if (problem) throw new HttpError(400, 'invalid_reason', problem.message, [problem]);
      const actor = actorOf(request.headers);
      const at = now();
      const parsed = parseImport(request.body, at, type === 'text/plain' ? undefined : format);
      const fresh = parsed.lines.filter((l) => !blacklist.isBlacklisted(project, l.phone));
      const log = request.log.child({ project, lines: parsed.lines.length, refused: parsed.refused.length });
      log.info({ imported: fresh.length }, 'blacklist import: sending');
      await commands.send(fresh.map((l) => commands.imported(project, l.phone, l.opted_out_at, actor, reason, at)), (sent) => {
        if (sent % 20_000 === 0 || sent === fresh.length) log.info({ sent, of: fresh.length }, 'blacklist import: progress');
      });
      const timeoutMs = options.importTimeoutMs ?? 30_000 + fresh.length;
      const visible = await commands.waitFor(() => fresh.every((l) => blacklist.isBlacklisted(project, l.phone)), timeoutMs);
      if (!visible) logger.warn({ project, imported: fresh.length }, 'blacklist import: not every phone visible yet');
      return {
        lines: parsed.lines.length, imported: fresh.length, already_listed: parsed.lines.length - fresh.length, duplicates: parsed.duplicates,
        visible, refused: parsed.refused.slice(0, MAX_REFUSED), refused_total: parsed.refused.length,
      };
    },
  });
};
