// `npm run bench -- <name> ...`: runs the named benches, or all of them without a name.
// A bench is a module exporting `run(args)`; register it here.

export {};

const benches: Record<string, { summary: string; load: () => Promise<{ run(args: string[]): Promise<void> }> }> = {
  keywords: { summary: 'compiled keyword matcher vs the naive definition; the possible-opt-out detector', load: () => import('./keywords.ts') },
  possible: { summary: 'possible-opt-out detector: precision and recall per language on the labelled corpus', load: () => import('./possible.ts') },
  propagation: { summary: 'ingress 2xx of a STOP until send-check refuses, p50/p99 (needs the local stack)', load: () => import('./propagation.ts') },
  matcher: { summary: 'matcher replies/s vs a raw kafkajs passthrough; restore of 1 M profiles (needs the local stack)', load: () => import('./matcher.ts') },
  materializer: { summary: 'flush of a 100k opt-out window vs raw transactional produce of the same records (needs the local stack)', load: () => import('./materializer.ts') },
  blacklist: { summary: 'blacklist client at 1 M (and 10 M) entries: ready time, memory per entry, look-ups, export, vs the old Map client (needs the local stack)', load: () => import('./blacklist/index.ts') },
  settings: { summary: 'PUT sms-settings through two API instances and the one settings writer: latency one at a time, 200 at once, vs an acks=all produce (needs the local stack)', load: () => import('./settings.ts') },
  replies: { summary: 'ingress 2xx of a STOP until Sinch accepted its confirmation, p50/p99, 50/s for 60 s (needs the local stack)', load: () => import('./replies.ts') },
  'matcher-vs-streams': { summary: 'matcher vs the same topology in Kafka Streams 4.1.1 (bench/streams-peer): replies/s, CPU per reply, same outputs; --messages=N --rounds=N --threads=1,2 (needs the local stack, Maven, Java 17)', load: () => import('./matcher-vs-streams.ts') },
  restart: { summary: '`optline start` restarted after kill -9 vs after SIGINT: time to the first send-check answer (SPEC: 10 s), API and ingress up (needs the local stack)', load: () => import('./restart.ts') },
  ingress: { summary: 'POST /v1/sinch/inbound (acks=all) vs a no-op route on the same server (needs the local stack)', load: () => import('./ingress.ts') },
};

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    const list = Object.entries(benches).map(([name, b]) => `  ${name.padEnd(18)} ${b.summary}`);
    process.stdout.write(['Usage: npm run bench -- [name ...]', '', 'Benches:', ...list, ''].join('\n'));
    return 0;
  }
  // `--name=value` flags go to every bench named; the rest are names.
  const flags = argv.filter((a) => a.startsWith('--'));
  const named = argv.filter((a) => !a.startsWith('--'));
  const names = named.length === 0 ? Object.keys(benches) : named;
  const unknown = names.filter((n) => !(n in benches));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown bench ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}\n`);
    return 2;
  }
  for (const name of names) await (await benches[name]!.load()).run(flags);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
