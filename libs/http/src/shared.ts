import type { FastifyPluginAsync } from 'fastify';

/**
 * Marks a plugin as not encapsulated, as the `fastify-plugin` package does (not a dependency
 * here): its hooks, decorators, parsers and error handler apply to the context that registers
 * it and that context's children, instead of to a private child context.
 */
export function shared<Options extends object>(name: string, plugin: FastifyPluginAsync<Options>): FastifyPluginAsync<Options> {
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: name });
  return plugin;
}
