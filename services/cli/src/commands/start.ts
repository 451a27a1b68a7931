import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { provision, provisionTopicsFirst } from '@optline/kafka';
import { createLogger, exitWhenIdle, loadConfig, serveMetrics, stopOnSignal, type RunningService } from '@optline/runtime';
import { repoRoot, stackDown, stackUp } from '@optline/stack';
import { writeSecretFile } from '../secret-file.ts';
import { SERVICES } from './run.ts';
import { sinchForStart, type SinchForStart } from '../sinch-sandbox.ts';

const HELP = `Usage: optline start [--only a,b]

Starts the whole system in one process: the local stack (unless OPTLINE_KAFKA_BROKERS is set),
topics and schemas, then ${Object.keys(SERVICES).join(', ')}. Prints the URLs and the credentials it
generated for any OPTLINE_API_TOKEN / OPTLINE_INGRESS_BASIC_AUTH not set. Ctrl-C stops everything
it started, the stack included.
`;

/** Started before the others, one after the other: what senders and Sinch talk to. */
const FIRST: readonly string[] = ['api', 'ingress'];

function credentials(): string[] {
  const generated: string[] = [];
  if (!process.env.OPTLINE_API_TOKEN) {
    process.env.OPTLINE_API_TOKEN = randomBytes(18).toString('base64url');
    generated.push(`OPTLINE_API_TOKEN=${process.env.OPTLINE_API_TOKEN}`);
  }
  if (!process.env.OPTLINE_INGRESS_BASIC_AUTH && !process.env.OPTLINE_SINCH_HMAC_SECRET) {
    process.env.OPTLINE_INGRESS_BASIC_AUTH = `sinch:${randomBytes(12).toString('base64url')}`;
    generated.push(`OPTLINE_INGRESS_BASIC_AUTH=${process.env.OPTLINE_INGRESS_BASIC_AUTH}`);
  }
  return generated;
}

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const onlyIndex = args.indexOf('--only');
  const names = onlyIndex >= 0 ? (args[onlyIndex + 1] ?? '').split(',').filter(Boolean) : Object.keys(SERVICES);
  const unknown = names.filter((n) => !SERVICES[n]);
  if (unknown.length) {
    process.stderr.write(`start: unknown service(s) ${unknown.join(', ')}; known: ${Object.keys(SERVICES).join(', ')}\n`);
    return 2;
  }
  const logger = createLogger('optline');
  const up = await stackUp((line) => logger.info(line));
  process.env.OPTLINE_KAFKA_BROKERS ??= up.brokers;
  process.env.OPTLINE_SCHEMA_REGISTRY_URL ??= up.schemaRegistryUrl;
  const generated = credentials();
  const sinch: SinchForStart = names.includes('replier') ? await sinchForStart(logger) : { sandbox: null, lines: [], credentials: [] };
  // The demo and the CLI in another terminal pick the credentials up from here.
  const credentialsFile = join(repoRoot(), '.optline', 'credentials.env');
  mkdirSync(join(repoRoot(), '.optline'), { recursive: true });
  writeSecretFile(credentialsFile, [`OPTLINE_API_TOKEN=${process.env.OPTLINE_API_TOKEN}`, `OPTLINE_INGRESS_BASIC_AUTH=${process.env.OPTLINE_INGRESS_BASIC_AUTH ?? ''}`, ...sinch.credentials, ''].join('\n'));
  const config = loadConfig();
  // The API and ingress start once the topics exist (each registers the schemas it writes);
  // every other schema is registered after them, and a refused one still fails the start.
  await provisionTopicsFirst(config, logger);

  // The API and ingress first, the others once those listen: the matcher's start waits for its
  // consumer group (after a crash, for the dead member's session to end), loading and starting
  // every service at once on a small machine delays all of them, and ingress and the API need
  // nothing from the others: senders can check and Sinch can deliver while the matcher joins.
  const startOne = async (name: string) => {
    const { start } = await SERVICES[name]!();
    return start({ config, logger: logger.child({ service: name }) });
  };
  // The API before ingress: the services share one thread, and the send check is what must
  // answer within 10 s of a restart (SPEC); on a busy machine ingress starting alongside took
  // its share of the CPU from it. Sinch retries until ingress answers, ~1 s later.
  const started: PromiseSettledResult<RunningService>[] = [];
  for (const name of FIRST.filter((n) => names.includes(n))) {
    started.push(...(await Promise.allSettled([startOne(name)])));
    if (started.some((s) => s.status === 'rejected')) break;
  }
  const rest = () => provision(config, logger).then(() => Promise.allSettled(names.filter((name) => !FIRST.includes(name)).map(startOne)));
  if (!started.some((s) => s.status === 'rejected')) started.push(...(await rest().catch((error: unknown) => [{ status: 'rejected' as const, reason: error }])));
  const running: RunningService[] = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    logger.error({ err: failed.reason }, 'a service failed to start; stopping the others');
    await Promise.allSettled(running.map((s) => s.stop()));
    await sinch.sandbox?.stop();
    if (up.started.length) await stackDown();
    throw failed.reason;
  }

  const workers = Object.fromEntries(running.filter((s) => s.metrics).map((s) => [s.name, s.metrics!]));
  const metrics = Object.keys(workers).length ? await serveMetrics(workers, Number(process.env.OPTLINE_METRICS_PORT ?? 9464)) : undefined;

  const lines = [
    '',
    'optline is running',
    `  kafka            ${up.brokers}`,
    `  schema registry  ${up.schemaRegistryUrl}`,
    ...running.flatMap((s) => (s.urls ?? []).map((u) => `  ${s.name.padEnd(16)} ${u}`)),
    ...Object.keys(workers).map((name) => `  ${`${name} metrics`.padEnd(16)} ${metrics!.url}/${name}`),
    ...sinch.lines,
    ...(generated.length ? ['', 'generated credentials (also in .optline/credentials.env, which the CLI and demo read):', ...generated.map((g) => `  export ${g}`)] : []),
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  await stopOnSignal(running, logger);
  await sinch.sandbox?.stop();
  await metrics?.close();
  if (up.started.length) await stackDown((line) => logger.info(line));
  exitWhenIdle(logger);
  return 0;
}
