// One valid value per Avro schema, shaped as consumers will read it back.
const t = Date.UTC(2026, 10, 26, 12, 0, 0);

export const SAMPLES: Record<string, unknown> = {
  InboundSms: {
    id: '01HX-sample', type: 'mo_text', from: '00421905123456', to: '00421911000111', body: 'STOP', received_at: t,
    sent_at: t - 1000, operator_id: '23103', client_reference: null, udh: null, ingested_at: t + 5, source: 'sinch',
  },
  CustomerProfile: { project: 'p1', customer_id: 'c1', phone: '00421905123456', updated_at: t, deleted: false },
  SmsSent: { project: 'p1', customer_id: 'c1', phone: '00421905123456', sender: '00421911000111', message_id: 'm1', sent_at: t },
  ConsentEvent: {
    event_id: 'e1', project: 'p1', customer_id: 'c1', timestamp: t, imported_timestamp: t + 3_600_000, action: 'reject',
    source: 'sms_reply', category: 'sms_marketing', identification: '00421905123456', identification_type: 'phone', message: 'STOP',
  },
  CampaignEvent: {
    event_id: 'e2', project: 'p1', customer_id: null, status: 'incoming_message', action_type: 'sms', timestamp: t,
    message: 'STOP', sender: '00421905123456', recipient: '00421911000111',
  },
  BlacklistEntry: {
    project: 'p1', phone: '00421905123456', status: 'BLOCKED', keyword: 'stop', message_id: 'm1', blocked_at: t, updated_at: t,
    source: 'keyword', actor: null, reason: null,
  },
  SmsSettings: {
    project: 'p1', version: 3, trackIncoming: true, optOutEnabled: true, keywords: ['stop', 'arret'], optInKeywords: ['start'],
    helpKeywords: ['help'], replies: [{ kind: 'optOut', text: 'Au revoir', keywords: ['arret'] }], possibleOptOuts: 'flag',
    consentCategories: ['sms_marketing'], dedicatedNumbers: ['00421911000111'], updatedAt: t,
  },
  SettingsCommand: {
    command_id: 'c-1', project: 'p1', document: '{"trackIncoming":true}', if_match: 3, requested_at: t, expires_at: t + 25_000,
  },
  SettingsOutcome: {
    command_id: 'c-1', project: 'p1', outcome: 'invalid', version: null, decided_at: t + 5,
    errors: [{ field: 'replies[1].text', rule: 'reply_text_empty', message: 'empty' }],
    conflicts: [{ field: 'dedicatedNumbers[0]', number: '12345', project: 'p2' }],
  },
  PhoneState: {
    profiles: [{ customer_id: 'c1', last_sent_at: t, updated_at: t - 1000 }, { customer_id: 'c2', last_sent_at: null, updated_at: t }],
    blacklist: { status: 'BLOCKED', keyword: 'stop', message_id: 'm1', blocked_at: t, updated_at: t, source: 'keyword', actor: null, reason: null },
    processed: { m1: t },
  },
  ConsentTracked: { project: 'p1', phone: '00421905123456', message_id: 'm1', tracked_at: t + 3_600_000 },
  CustomerPhone: { phone: '00421905123456', updated_at: t },
  MatcherFact: {
    fact: {
      'dev.optline.OptOutFact': {
        project: 'p1', phone: '00421905123456', message_id: 'm1', received_at: t, body: 'STOP', sender: '00421905123456',
        recipient: '00421911000111', keyword: 'stop', customer_ids: ['c1', 'c2'], categories: ['sms_marketing'],
      },
    },
    recorded_at: t + 10,
  },
  BlacklistCommand: {
    command_id: 'b-1', project: 'p1', phone: '00421905123456', action: 'CLEAR', source: 'manual', actor: 'support@example.com',
    reason: 'opted back in by phone', opted_out_at: null, requested_at: t,
  },
  BlacklistChange: {
    project: 'p1', phone: '00421905123456', at: t, kind: 'opted_out', status: 'BLOCKED', source: 'keyword', message_id: 'm1',
    body: 'STOP', keyword: 'stop', settings_version: 3, blocked_at: t, actor: null, reason: null,
  },
  ReplyIntent: {
    event_id: 'r1', project: 'p1', kind: 'optOut', text: 'You are unsubscribed.', from: '00421911000111', to: '00421905123456',
    message_id: 'm1', keyword: 'stop', customer_id: 'c1', received_at: t, inbound_at: t + 3, decided_at: t + 8,
  },
  ReplyAttempt: { event_id: 'r1', project: 'p1', status: 'SENT', at: t + 50, batch_id: '01FC66621XXXXX119Z8PMV1QPQ', reason: null },
  PossibleOptOut: {
    id: 'po-1', project: 'p1', phone: '00421905123456', message_id: 'm2', received_at: t, body: 'please stop texting me',
    sender: '00421905123456', recipient: '00421911000111', reason: 'asks to stop messages', rule: 'en.stop-texting', language: 'en',
    evidence: 'stop texting', keyword: null,
  },
  PossibleOptOutDecision: {
    id: 'po-1', project: 'p1', phone: '00421905123456', decision: 'confirm', actor: 'ops@example.com', decided_at: t, command_id: 'c-1',
  },
};
