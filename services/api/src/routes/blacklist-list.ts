import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { BlacklistClient, BlacklistRecord, BlacklistStatus } from '@optline/blacklist-client';
import { HttpError } from '@optline/http';
import type { SettingsTable } from '@optline/settings-table';
import { API_ROUTES } from '../topology.ts';
import { entrySchema } from './blacklist-entry-schema.ts';
import { phoneOf, requireProject } from './common.ts';

export interface BlacklistListOptions {
  blacklist: BlacklistClient;
  settings: SettingsTable;
}

export const CSV_COLUMNS = ['phone', 'status', 'source', 'keyword', 'message_id', 'blocked_at', 'updated_at'] as const;
const LINES_PER_CHUNK = 1000;

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(e: BlacklistRecord): string {
  return `${csvCell(e.phone)},${e.status},${e.source ?? 'keyword'},${csvCell(e.keyword)},${csvCell(e.message_id)},${new Date(e.blocked_at).toISOString()},${new Date(e.updated_at).toISOString()}\n`;
}

/** The CSV of a project's entries, a chunk of lines at a time, as the client reads them. */
function* csvChunks(entries: Iterable<BlacklistRecord>): Generator<string> {
  yield `${CSV_COLUMNS.join(',')}\n`;
  let chunk = '';
  let n = 0;
  for (const entry of entries) {
    chunk += csvLine(entry);
    if (++n === LINES_PER_CHUNK) {
      yield chunk;
      chunk = '';
      n = 0;
    }
  }
  if (chunk) yield chunk;
}

// The cursor is the last phone of the page, opaque to callers.
const cursorOf = (phone: string) => Buffer.from(phone).toString('base64url');

function phoneOfCursor(cursor: string): string {
  const phone = Buffer.from(cursor, 'base64url').toString();
  if (!/^00[1-9]\d{0,14}$/.test(phone)) throw new HttpError(400, 'invalid_cursor', 'cursor: not a cursor this API gave', [{ field: 'querystring.cursor', rule: 'cursor', message: 'not a cursor this API gave' }]);
  return phone;
}

/**
 * GET /v1/projects/{project}/blacklist: a page of entries in phone order (cursor paging, status
 * filter); with `Accept: text/csv`, every entry as CSV, streamed from a snapshot of the entries'
 * references (the list is never built in memory).
 */
export const blacklistListRoutes: FastifyPluginAsync<BlacklistListOptions> = async (scope, { blacklist, settings }) => {
  scope.get(API_ROUTES.blacklistList, {
    schema: {
      params: { type: 'object', properties: { project: { type: 'string', minLength: 1, maxLength: 128 } }, required: ['project'] },
      querystring: {
        type: 'object',
        properties: {
          limit: { type: 'string', pattern: '^(1000|[1-9][0-9]{0,2})$', description: 'entries per page, 1-1000 (default 100)' },
          cursor: { type: 'string', minLength: 1, maxLength: 64 },
          status: { type: 'string', enum: ['BLOCKED', 'CONSENT_TRACKED'] },
        },
        additionalProperties: false,
      },
      response: {
        200: {
          type: 'object',
          properties: { entries: { type: 'array', items: entrySchema }, next_cursor: { type: ['string', 'null'] } },
          required: ['entries', 'next_cursor'],
        },
      },
    },
    handler: async (request, reply) => {
      const { project } = request.params as { project: string };
      const raw = request.query as { limit?: string; cursor?: string; status?: BlacklistStatus };
      const query = { ...raw, limit: raw.limit === undefined ? 100 : Number(raw.limit) };
      requireProject(settings, project);
      if (/\btext\/csv\b/.test(request.headers.accept ?? '')) {
        reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="blacklist-${encodeURIComponent(project)}.csv"`);
        return reply.send(Readable.from(csvChunks(blacklist.export(project, query.status))));
      }
      const after = query.cursor === undefined ? undefined : phoneOf(phoneOfCursor(query.cursor), 'querystring.cursor');
      const entries = blacklist.list(project, { limit: query.limit, ...(after ? { after } : {}), ...(query.status ? { status: query.status } : {}) });
      return { entries, next_cursor: entries.length === query.limit ? cursorOf(entries[entries.length - 1]!.phone) : null };
    },
  });
};
