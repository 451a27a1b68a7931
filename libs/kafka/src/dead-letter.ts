import type { IHeaders, Message } from 'kafkajs';

export interface DeadLetterReason {
  /** Where the record came from: `<topic>/<partition>@<offset>` or an HTTP route. */
  source: string;
  /** The rule that was broken, machine-readable (e.g. `invalid_phone`, `unknown_dedicated_number`). */
  rule: string;
  /** The field at fault, when one is. */
  field?: string;
  /** A sentence for a person. */
  message: string;
}

export const DLQ_HEADERS = {
  source: 'optline.dlq.source',
  rule: 'optline.dlq.rule',
  field: 'optline.dlq.field',
  message: 'optline.dlq.message',
  at: 'optline.dlq.at',
} as const;

/** The dead-letter record keeps the original key and bytes untouched; the reason rides in headers. */
export function deadLetterMessage(key: Buffer | string | null, value: Buffer | string | null, reason: DeadLetterReason, originalHeaders?: IHeaders): Message {
  const headers: IHeaders = { ...(originalHeaders ?? {}) };
  headers[DLQ_HEADERS.source] = reason.source;
  headers[DLQ_HEADERS.rule] = reason.rule;
  if (reason.field) headers[DLQ_HEADERS.field] = reason.field;
  headers[DLQ_HEADERS.message] = reason.message;
  headers[DLQ_HEADERS.at] = String(Date.now());
  return { key, value, headers };
}

export function readDeadLetterReason(headers: IHeaders | undefined): DeadLetterReason & { at: number } {
  const h = (name: string) => {
    const v = headers?.[name];
    return v === undefined ? undefined : Array.isArray(v) ? String(v[0]) : String(v);
  };
  const field = h(DLQ_HEADERS.field);
  return { source: h(DLQ_HEADERS.source) ?? '', rule: h(DLQ_HEADERS.rule) ?? '', message: h(DLQ_HEADERS.message) ?? '', at: Number(h(DLQ_HEADERS.at) ?? 0), ...(field ? { field } : {}) };
}
