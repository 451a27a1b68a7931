import { brokerCount, MAX_BROKERS, stackDown, stackStatus, stackUp, StackError } from '@optline/stack';

const HELP = `Usage: optline stack up [--brokers N]|down|status

  up      start (or find) Apache Kafka on 127.0.0.1:9092 and the schema registry on
          127.0.0.1:8081; downloads the pinned jars with Maven on first use. With
          OPTLINE_KAFKA_BROKERS set it starts nothing and checks those endpoints.
          --brokers 3 (or OPTLINE_STACK_BROKERS=3): a KRaft cluster of three combined
          nodes on 9092, 9094, 9096 (controllers 9093, 9095, 9097), internal topics at
          replication 3, min ISR 2; run optline with OPTLINE_REPLICATION_FACTOR=3.
  down    stop exactly the processes 'up' started
  status  say what runs where
`;

const say = (line: string) => process.stderr.write(`stack: ${line}\n`);

function brokersOption(args: string[]): number | undefined {
  const i = args.findIndex((a) => a === '--brokers' || a.startsWith('--brokers='));
  if (i < 0) return undefined;
  const raw = args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1];
  try {
    if (!raw) throw new RangeError('missing');
    return brokerCount(raw);
  } catch {
    throw new StackError(`--brokers: '${raw ?? ''}' must be a whole number from 1 to ${MAX_BROKERS}`, 'for example --brokers 3');
  }
}

export async function run(args: string[]): Promise<number> {
  const [action] = args;
  try {
    switch (action) {
      case 'up': {
        const started = Date.now();
        const result = await stackUp(say, process.env, brokersOption(args.slice(1)));
        const how = result.external ? 'external (OPTLINE_KAFKA_BROKERS)' : result.started.length ? `started ${result.started.join(', ')}` : 'already running';
        process.stdout.write(`kafka            ${result.brokers}\nschema registry  ${result.schemaRegistryUrl}\n`);
        say(`${how}; ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
        return 0;
      }
      case 'down': {
        const stopped = await stackDown(say);
        say(stopped.length ? `down (${stopped.join(', ')})` : 'nothing was running');
        return 0;
      }
      case 'status': {
        const rows = await stackStatus();
        for (const r of rows) {
          process.stdout.write(`${r.name.padEnd(16)} ${r.pid ? `pid ${r.pid}` : 'not started by optline'}`.padEnd(42) + `${r.address}  ${r.answering ? 'answering' : 'not answering'}\n`);
        }
        return 0;
      }
      default:
        process.stdout.write(HELP);
        return action === '--help' || action === '-h' ? 0 : 2;
    }
  } catch (err) {
    if (err instanceof StackError) {
      process.stderr.write(`stack: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
