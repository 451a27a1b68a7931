import { tryCanonicalPhone, type PhoneResult } from '@optline/core';
import { HttpError } from '@optline/http';
import type { SettingsTable } from '@optline/settings-table';

export const projectParam = {
  type: 'object',
  properties: { project: { type: 'string', minLength: 1, maxLength: 128 } },
  required: ['project'],
} as const;

/** The canonical number of a core `try*` result, or a 400 with `code` naming the field and the rule broken. */
export function canonicalOr400(result: PhoneResult, code: string, field: string): string {
  if (result.ok) return result.phone;
  const { error } = result;
  throw new HttpError(400, code, error.message, [{ field, rule: error.code, message: error.message }]);
}

/** The canonical phone of any accepted form, or a 400 naming the field and the rule broken. */
export function phoneOf(input: string, field: string): string {
  return canonicalOr400(tryCanonicalPhone(input), 'invalid_phone', field);
}

/**
 * A project optline has no settings for cannot have a blacklist: answering "allowed" would let
 * a typo in a sender's configuration send to opted-out phones, so it is a 404.
 */
export function requireProject(settings: SettingsTable, project: string): void {
  if (settings.get(project) === undefined) {
    throw new HttpError(404, 'unknown_project', `project ${JSON.stringify(project)} has no SMS settings`);
  }
}

/** Who is calling, for the records of manual changes: the `X-Optline-Actor` header, else the token's holder. */
export const ACTOR_HEADER = 'x-optline-actor';

export function actorOf(headers: Record<string, string | string[] | undefined>): string {
  const value = headers[ACTOR_HEADER];
  const actor = (Array.isArray(value) ? value[0] : value)?.trim();
  if (actor === undefined || actor === '') return 'api-token';
  if (actor.length > 128) throw new HttpError(400, 'invalid_actor', `${ACTOR_HEADER}: at most 128 characters`, [{ field: `headers.${ACTOR_HEADER}`, rule: 'max_length', message: 'at most 128 characters' }]);
  return actor;
}
