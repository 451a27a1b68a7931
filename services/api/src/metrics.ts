import { Counter, type Registry } from 'prom-client';

export function apiMetrics(registry: Registry) {
  return {
    sendChecks: new Counter({
      name: 'optline_api_send_checks_total',
      help: 'Send checks answered, by outcome (allowed, refused)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    settingsWrites: new Counter({
      name: 'optline_api_settings_writes_total',
      help: 'Settings PUTs, by outcome (stored, invalid, conflict)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
  };
}

export type ApiMetrics = ReturnType<typeof apiMetrics>;
