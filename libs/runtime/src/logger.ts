import { pino, type DestinationStream, type Logger } from 'pino';
import { build as pretty } from 'pino-pretty';

export type { Logger };

export type LogFormat = 'json' | 'pretty';

/**
 * OPTLINE_LOG_FORMAT, else readable lines when stderr is a terminal (a person runs `npm start`)
 * and JSON otherwise (production, pipes, the tests that parse a child's log lines).
 */
export function logFormat(env: NodeJS.ProcessEnv = process.env, isTTY = process.stderr.isTTY === true): LogFormat {
  const format = env.OPTLINE_LOG_FORMAT;
  if (format === 'json' || format === 'pretty') return format;
  if (format !== undefined && format !== '') throw new Error(`OPTLINE_LOG_FORMAT must be "json" or "pretty", not ${JSON.stringify(format)}`);
  return isTTY ? 'pretty' : 'json';
}

/** One line per entry: time, level, service, message, then the other fields as JSON. */
export function prettyStream(destination: number | NodeJS.WritableStream = 2, colorize = process.stderr.isTTY === true): DestinationStream {
  return pretty({
    destination: destination as never,
    sync: true, // a terminal is slow anyway; a crash must not lose its last lines
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,name,service',
    messageFormat: '{service}: {msg}',
  });
}

// Logs go to stderr so that commands whose stdout is data (`optline match`) stay pipeable.
export function createLogger(service: string, level = process.env.OPTLINE_LOG_LEVEL ?? 'info', format = logFormat()): Logger {
  const destination = format === 'pretty' ? prettyStream() : pino.destination({ fd: 2, sync: false });
  return pino({ name: service, level, base: { service } }, destination);
}
