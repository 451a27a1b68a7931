import type { FastifyPluginAsync } from 'fastify';
import { MAX_REPLY_LENGTH, POSSIBLE_OPT_OUT_POLICIES, REPLY_KINDS, suggestedSettings, type NumberConflict, type SettingsError } from '@optline/core';
import { HttpError, type ErrorBody } from '@optline/http';
import { TailTimeoutError } from '@optline/kafka';
import { SettingsCommandTimeoutError, type SettingsTable } from '@optline/settings-table';
import type { ApiMetrics } from '../metrics.ts';
import { API_ROUTES } from '../topology.ts';
import { projectParam, requireProject } from './common.ts';

export interface SettingsRouteOptions {
  settings: SettingsTable;
  metrics: ApiMetrics;
}

const strings = { type: 'array', items: { type: 'string' } } as const;

const reply = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: [...REPLY_KINDS] },
    text: { type: 'string', minLength: 1, description: `1-${MAX_REPLY_LENGTH} characters` },
    keywords: { ...strings, description: "the kind's keywords this variant answers; empty for the kind's default" },
  },
  required: ['kind', 'text', 'keywords'],
} as const;

/** The fields every settings document has, stored or suggested. */
const documentFields = {
  trackIncoming: { type: 'boolean' },
  optOutEnabled: { type: 'boolean' },
  keywords: strings,
  optInKeywords: strings,
  helpKeywords: strings,
  replies: { type: 'array', items: reply },
  possibleOptOuts: { type: 'string', enum: [...POSSIBLE_OPT_OUT_POLICIES] },
  consentCategories: strings,
  dedicatedNumbers: strings,
} as const;
const documentRequired = Object.keys(documentFields);

/** The stored settings, as GET and PUT answer them. */
const storedSettings = {
  type: 'object',
  properties: {
    project: { type: 'string' },
    version: { type: 'integer' },
    ...documentFields,
    updatedAt: { type: 'integer', description: 'when this version was stored, epoch milliseconds' },
  },
  required: ['project', 'version', ...documentRequired],
} as const;

/** GET /v1/sms-settings/defaults: a document to start from; numbers and categories left to fill in. */
const suggested = { type: 'object', properties: documentFields, required: documentRequired } as const;

/** A refused settings document: every broken field, and for numbers owned elsewhere, the owner. */
export class SettingsRefused extends HttpError {
  constructor(
    readonly errors: SettingsError[],
    readonly conflicts: NumberConflict[],
  ) {
    // Only conflicts: the document is fine but the numbers are taken (409); anything else
    // is for the author to fix first (400), with the conflicts listed among the errors.
    const onlyConflicts = conflicts.length > 0 && errors.every((e) => conflicts.some((c) => c.field === e.field));
    const status = onlyConflicts ? 409 : 400;
    const message = onlyConflicts
      ? conflicts.map((c) => `dedicated number ${c.number} already belongs to project ${JSON.stringify(c.project)}`).join('; ')
      : `the settings are invalid: ${errors.map((e) => `${e.field || '(document)'}: ${e.message}`).join('; ')}`;
    super(status, onlyConflicts ? 'number_conflict' : 'invalid_settings', message, errors.map(({ field, rule, message }) => ({ field, rule, message })));
  }

  override toBody(): ErrorBody {
    const body = super.toBody();
    return this.conflicts.length ? { error: { ...body.error, conflicts: this.conflicts } as ErrorBody['error'] } : body;
  }
}

const IF_MATCH = /^\s*(?:"(\d{1,9})"|(\d{1,9}))\s*$/;

/** The version an If-Match header names (`"3"` as this API's ETags are, or bare `3`), null without one. */
export function ifMatchOf(header: string | string[] | undefined): number | null {
  if (header === undefined) return null;
  const match = typeof header === 'string' ? IF_MATCH.exec(header) : null;
  if (match === null) {
    const message = 'If-Match must be one settings version as the ETag gives it, e.g. "3" (0: the project has no settings yet)';
    throw new HttpError(400, 'invalid_if_match', message, [{ field: 'headers.if-match', rule: 'settings_version', message }]);
  }
  return Number(match[1] ?? match[2]);
}

const etag = (version: number) => `"${version}"`;

/**
 * PUT and GET /v1/projects/{project}/sms-settings, GET /v1/sms-settings/defaults. The body is
 * checked by the core's validateSettings alone (the schema only says "an object"), so every
 * broken field is reported at once with the same rules the matcher applies. PUT is
 * compare-and-set with If-Match; answers carry the version as ETag.
 */
export const smsSettingsRoutes: FastifyPluginAsync<SettingsRouteOptions> = async (scope, { settings, metrics }) => {
  scope.put(API_ROUTES.settings, {
    schema: { params: projectParam, body: { type: 'object' }, response: { 200: storedSettings } },
    handler: async (request, reply) => {
      const { project } = request.params as { project: string };
      const ifMatch = ifMatchOf(request.headers['if-match']);
      let result;
      try {
        result = await settings.put(project, request.body, { ifMatch });
      } catch (error) {
        if (error instanceof TailTimeoutError || error instanceof SettingsCommandTimeoutError) {
          throw new HttpError(503, 'unavailable', `${error.message}; retry later`);
        }
        throw error;
      }
      if (!result.ok && result.stale) {
        metrics.settingsWrites.inc({ outcome: 'stale' });
        const { stored } = result.stale;
        const message = result.errors[0]?.message ?? `version ${stored} is stored`;
        throw new HttpError(412, 'precondition_failed', message, [{ field: 'headers.if-match', rule: 'version_mismatch', message }], stored > 0 ? { etag: etag(stored) } : {});
      }
      if (!result.ok) {
        const refused = new SettingsRefused(result.errors, result.conflicts ?? []);
        metrics.settingsWrites.inc({ outcome: refused.statusCode === 409 ? 'conflict' : 'invalid' });
        throw refused;
      }
      metrics.settingsWrites.inc({ outcome: 'stored' });
      void reply.header('etag', etag(result.settings.version));
      return result.settings;
    },
  });

  scope.get(API_ROUTES.settingsDefaults, {
    schema: { response: { 200: suggested } },
    handler: async () => suggestedSettings(),
  });

  scope.get(API_ROUTES.settings, {
    schema: { params: projectParam, response: { 200: storedSettings } },
    handler: async (request, reply) => {
      const { project } = request.params as { project: string };
      requireProject(settings, project);
      const stored = settings.get(project)!;
      void reply.header('etag', etag(stored.version));
      return stored;
    },
  });
};
