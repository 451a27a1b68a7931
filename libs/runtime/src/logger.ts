import { pino, type Logger } from 'pino';

export type { Logger };

// Logs go to stderr so that commands whose stdout is data (`optline match`) stay pipeable.
export function createLogger(service: string, level = process.env.OPTLINE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: service, level, base: { service } }, pino.destination({ fd: 2, sync: false }));
}
