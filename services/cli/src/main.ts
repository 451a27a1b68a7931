// The `optline` command line. Each command lives in ./commands/<name>.ts and exports
// `run(args): Promise<number>` (the exit code), so that adding one touches no other file.
const commands: Record<string, { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> }> = {
  stack: { summary: 'stack up|down|status   local Kafka + schema registry', load: () => import('./commands/stack.ts') },
  start: { summary: 'start                  the whole system (stack, topics, every service) in one process', load: () => import('./commands/start.ts') },
  demo: { summary: 'demo                   walk through opt-outs against a running `npm start`', load: () => import('./commands/demo.ts') },
  run: { summary: 'run <service>          run one service (ingress, matcher, materializer, api)', load: () => import('./commands/run.ts') },
  match: { summary: 'match --keyword K ...  match JSON strings on stdin against opt-out keywords', load: () => import('./commands/match.ts') },
  settings: { summary: 'settings put|get       a project\'s SMS settings, through the API', load: () => import('./commands/settings.ts') },
  blacklist: { summary: 'blacklist get|list|export|block|clear|import|history   the opt-out list, through the API', load: () => import('./commands/blacklist.ts') },
  customers: { summary: 'customers import       publish customer profiles (JSON lines) to customers.v1', load: () => import('./commands/customers.ts') },
};

function usage(): string {
  const lines = Object.values(commands).map((c) => `  ${c.summary}`);
  return ['Usage: optline <command> [options]', '', 'Commands:', ...lines, '', 'Run `optline <command> --help` for details.'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`optline: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  return (await command.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`optline: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
