// The JSON shape of a blacklist entry in the API's answers.

const millis = { type: 'integer', description: 'epoch milliseconds' } as const;

export const entrySchema = {
  type: 'object',
  properties: {
    project: { type: 'string' },
    phone: { type: 'string' },
    status: { type: 'string', enum: ['BLOCKED', 'CONSENT_TRACKED'] },
    keyword: { type: 'string' },
    message_id: { type: 'string' },
    blocked_at: millis,
    updated_at: millis,
    source: { type: 'string', enum: ['keyword', 'manual', 'import'] },
    actor: { type: ['string', 'null'] },
    reason: { type: ['string', 'null'] },
  },
  required: ['project', 'phone', 'status', 'keyword', 'message_id', 'blocked_at', 'updated_at'],
} as const;

export const phoneParams = {
  type: 'object',
  properties: { project: { type: 'string', minLength: 1, maxLength: 128 }, phone: { type: 'string', minLength: 1, maxLength: 64 } },
  required: ['project', 'phone'],
} as const;
