import { createLogger, exitWhenIdle, loadConfig, serveMetrics, stopOnSignal, type ServiceStarter } from '@optline/runtime';

/** The services `optline run` knows; each package exports `start(options)`. */
export const SERVICES: Record<string, () => Promise<{ start: ServiceStarter }>> = {
  ingress: () => import('@optline/ingress'),
  matcher: () => import('@optline/matcher'),
  materializer: () => import('@optline/materializer'),
  api: () => import('@optline/api'),
  replier: () => import('@optline/replier'),
};

const HELP = `Usage: optline run <service>

Services: ${Object.keys(SERVICES).join(', ')}
Configured by OPTLINE_* environment variables (see the README). OPTLINE_METRICS_PORT serves
/metrics for the services without an HTTP server of their own (matcher, materializer, replier).
`;

export async function run(args: string[]): Promise<number> {
  const [name] = args;
  const load = name ? SERVICES[name] : undefined;
  if (!load) {
    process.stdout.write(HELP);
    return name === '--help' || name === '-h' ? 0 : 2;
  }
  const config = loadConfig();
  const logger = createLogger(name!);
  const { start } = await load();
  const service = await start({ config, logger });
  for (const url of service.urls ?? []) logger.info({ url }, `${name} listening`);
  const metricsPort = process.env.OPTLINE_METRICS_PORT;
  const metrics = service.metrics && metricsPort ? await serveMetrics({ [name!]: service.metrics }, Number(metricsPort)) : undefined;
  if (metrics) logger.info({ url: metrics.url }, `${name} metrics`);
  await stopOnSignal([service], logger);
  await metrics?.close();
  exitWhenIdle(logger);
  return 0;
}
