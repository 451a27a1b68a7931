import type { FastifyPluginAsync } from 'fastify';
import type { SettingsTable } from '@optline/settings-table';
import { API_ROUTES } from '../topology.ts';

export interface ProjectRouteOptions {
  settings: SettingsTable;
}

const project = {
  type: 'object',
  properties: {
    project: { type: 'string' },
    version: { type: 'integer' },
    updatedAt: { type: 'integer', description: 'when this version was stored, epoch milliseconds' },
    dedicatedNumbers: { type: 'array', items: { type: 'string' }, description: 'canonical; a number belongs to one project' },
  },
  required: ['project', 'version', 'dedicatedNumbers'],
} as const;

/**
 * GET /v1/projects: every project with SMS settings, by name, with the numbers it owns (the
 * console's project picker, and its warning about a number taken by another project).
 */
export const projectRoutes: FastifyPluginAsync<ProjectRouteOptions> = async (scope, { settings }) => {
  scope.get(API_ROUTES.projects, {
    schema: {
      summary: 'Every project with SMS settings',
      response: { 200: { type: 'object', properties: { projects: { type: 'array', items: project } }, required: ['projects'] } },
    },
    handler: async () => {
      const projects = [...settings.all()]
        .map(({ project: name, version, updatedAt, dedicatedNumbers }) => ({ project: name, version, updatedAt, dedicatedNumbers }))
        .sort((a, b) => a.project.localeCompare(b.project));
      return { projects };
    },
  });
};
