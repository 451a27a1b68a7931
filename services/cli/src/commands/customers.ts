// `optline customers import <file.jsonl>`: profiles from a file straight onto customers.v1
// (CustomerProfile, keyed by customer_id) with an idempotent producer, acks=all. Bad lines are
// reported with their number, field and rule while the good ones are imported.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Message } from 'kafkajs';
import { AvroSerde, createKafka, provision } from '@optline/kafka';
import { loadConfig, type OptlineConfig } from '@optline/runtime';
import { processIO, type CommandIO } from '../api-client.ts';
import { parseCustomerLine } from '../customer-lines.ts';
import { Progress } from '../progress.ts';

const HELP = `Usage: optline customers import <file.jsonl>

Publishes one CustomerProfile per line to the customers topic (key customer_id), e.g.
  {"project": "shop", "customer_id": "c-1", "phone": "+421 905 123 456"}
  {"project": "shop", "customer_id": "c-2", "phone": null, "updated_at": "2024-05-01T12:00:00Z"}
  {"project": "shop", "customer_id": "c-3", "deleted": true}
Fields: project, customer_id (required, non-empty); phone (any accepted form, or null);
updated_at (epoch ms or ISO 8601; default: now); deleted (default false). Blank lines are skipped.

Bad lines are reported on stderr with their number, field and rule; the others are imported.
Progress goes to stderr, the summary to stdout. Kafka is OPTLINE_KAFKA_BROKERS (default the
local stack) with OPTLINE_SCHEMA_REGISTRY_URL.

Exit codes: 0 every line imported; 1 some lines were bad (the good ones are imported) or the
broker failed; 2 bad arguments or an unreadable file.
`;

const BATCH = 500;
/** Past this many, bad lines are only counted: a wholly wrong file must not flood the terminal. */
const MAX_REPORTED = 1000;

export interface CustomersIO extends CommandIO {
  /** Default: from the environment. */
  config?: OptlineConfig;
  logEveryMs?: number;
}

export async function run(args: string[], io: CustomersIO = processIO()): Promise<number> {
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    io.stdout.write(HELP);
    return 0;
  }
  const [action, file, ...rest] = args;
  if (action !== 'import' || !file || rest.length) {
    io.stderr.write(`optline customers: expected import <file.jsonl>\n\n${HELP}`);
    return 2;
  }
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch (error) {
    io.stderr.write(`optline customers: cannot read ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  const config = io.config ?? loadConfig(io.env);
  return importFile(file, size, config, io);
}

async function importFile(file: string, size: number, config: OptlineConfig, io: CustomersIO): Promise<number> {
  const { topics: named } = await provision(config);
  const topic = named.customers.name;
  // The synchronous encoder: no promise and no registry look-up per line.
  const encode = await new AvroSerde(config.schemaRegistryUrl, named).encoderFor(topic);
  const producer = createKafka(config, undefined, `${config.clientId}-customers-import`).producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();

  const input = createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Infinity });
  const progress = new Progress({ stderr: io.stderr, label: 'customers import', total: size, ...(io.logEveryMs === undefined ? {} : { logEveryMs: io.logEveryMs }) });
  const now = Date.now();
  let lineNumber = 0;
  let imported = 0;
  let bad = 0;
  let batch: Message[] = [];
  const counts = () => `${lineNumber} lines read, ${imported} imported, ${bad} bad`;
  const flush = async () => {
    if (batch.length === 0) return;
    await producer.send({ topic, acks: -1, messages: batch });
    imported += batch.length;
    batch = [];
  };

  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      const result = parseCustomerLine(line, now);
      if (result.ok) {
        batch.push({ key: result.profile.customer_id, value: encode(result.profile) });
        if (batch.length >= BATCH) await flush();
      } else if (++bad <= MAX_REPORTED) {
        for (const e of result.errors) progress.note(`line ${lineNumber}: ${e.field ? `${e.field}: ` : ''}${e.message} [${e.rule}]`);
      }
      progress.update(input.bytesRead, counts());
    }
    await flush();
  } catch (error) {
    progress.clear();
    io.stderr.write(`optline customers: import stopped at line ${lineNumber}: ${(error as Error).message}; ${imported} profiles were imported before it (running the import again is safe: later records of a customer_id replace earlier ones)\n`);
    return 1;
  } finally {
    lines.close();
    await producer.disconnect();
  }
  progress.clear();
  if (bad > MAX_REPORTED) io.stderr.write(`... and ${bad - MAX_REPORTED} more bad lines\n`);
  io.stdout.write(`imported ${imported} profiles into ${topic}; ${bad} bad ${bad === 1 ? 'line' : 'lines'} of ${lineNumber}\n`);
  return bad === 0 ? 0 : 1;
}
