import { describe, expect, it } from 'vitest';
import {
  decide,
  decideReply,
  evolve,
  replyDecided,
  emptyPhoneState,
  handleMessage,
  compiledSettings,
  REPEATED_OPT_OUT_MS,
  replyCampaignEvent,
  replyEventId,
  validateSettings,
  type InboundMessage,
  type PhoneState,
  type CompiledSettings,
  type ReplyKind,
} from '@optline/core';

const PHONE = '00421905123456';
const DEDICATED = '12345';
const T = 1_700_000_000_000;

type Reply = { kind: ReplyKind; text: string; keywords?: string[] };
const REPLIES: Reply[] = [
  { kind: 'optOut', text: 'You are unsubscribed. Reply START to resubscribe.' },
  { kind: 'optOut', text: 'Vous êtes désinscrit.', keywords: ['arret'] },
  { kind: 'optIn', text: 'You are subscribed again.' },
  { kind: 'help', text: 'Acme alerts. Reply STOP to unsubscribe.' },
];

function replySettings(replies: Reply[] = REPLIES): CompiledSettings {
  const result = validateSettings('acme', {
    trackIncoming: false, optOutEnabled: true, keywords: ['stop', 'arret'], optInKeywords: ['start'], helpKeywords: ['help', 'info'],
    consentCategories: ['sms'], dedicatedNumbers: [DEDICATED], replies,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return compiledSettings(result.settings);
}

function message(body: string, message_id = 'm1', received_at = T): InboundMessage {
  return { message_id, project: 'acme', from: PHONE, to: DEDICATED, body, received_at };
}

function blacklistedAt(at: number, source?: string): PhoneState {
  return { ...emptyPhoneState(), blacklist: { status: 'BLOCKED', keyword: 'stop', message_id: 'm0', blocked_at: at, updated_at: at, ...(source ? { source } : {}) } as PhoneState['blacklist'] };
}

describe('decideReply', () => {
  it('STOP gets the opt-out confirmation from the dedicated number to the phone', () => {
    const intent = decideReply(emptyPhoneState(), message('STOP'), replySettings(), { now: T + 5, inboundAt: T + 1 });
    expect(intent).toEqual({
      event_id: replyEventId('acme', 'm1', 'optOut'), project: 'acme', kind: 'optOut',
      text: 'You are unsubscribed. Reply START to resubscribe.', from: DEDICATED, to: PHONE,
      message_id: 'm1', keyword: 'stop', customer_id: null, received_at: T, inbound_at: T + 1, decided_at: T + 5,
    });
  });

  it('arrêt gets the French variant; START the opt-in text; HELP the help text', () => {
    expect(decideReply(emptyPhoneState(), message('arrêt'), replySettings(), { now: T })?.text).toBe('Vous êtes désinscrit.');
    expect(decideReply(emptyPhoneState(), message('Start'), replySettings(), { now: T })).toMatchObject({ kind: 'optIn', text: 'You are subscribed again.' });
    expect(decideReply(emptyPhoneState(), message('help me'), replySettings(), { now: T })).toMatchObject({ kind: 'help', text: 'Acme alerts. Reply STOP to unsubscribe.' });
  });

  it('no reply without a keyword, or without a text for the kind (a project without replies)', () => {
    expect(decideReply(emptyPhoneState(), message('thanks'), replySettings(), { now: T })).toBeNull();
    expect(decideReply(emptyPhoneState(), message('STOP'), replySettings([]), { now: T })).toBeNull();
    expect(decideReply(emptyPhoneState(), message('HELP'), replySettings(REPLIES.filter((r) => r.kind !== 'help')), { now: T })).toBeNull();
  });

  it('a repeated STOP within 24 h of the keyword opt-out gets no second confirmation; after 24 h it does', () => {
    expect(decideReply(blacklistedAt(T), message('STOP', 'm2', T + 60_000), replySettings(), { now: T })).toBeNull();
    expect(decideReply(blacklistedAt(T), message('STOP', 'm2', T + REPEATED_OPT_OUT_MS - 1), replySettings(), { now: T })).toBeNull();
    expect(decideReply(blacklistedAt(T), message('STOP', 'm2', T + REPEATED_OPT_OUT_MS), replySettings(), { now: T })?.kind).toBe('optOut');
  });

  it('the blacklist never blocks a reply: help and opt-in are answered on a blacklisted phone, a manual block is confirmed', () => {
    expect(decideReply(blacklistedAt(T), message('HELP', 'm2', T + 1), replySettings(), { now: T })?.kind).toBe('help');
    expect(decideReply(blacklistedAt(T), message('START', 'm2', T + 1), replySettings(), { now: T })?.kind).toBe('optIn');
    expect(decideReply(blacklistedAt(T, 'manual'), message('STOP', 'm2', T + 1), replySettings(), { now: T })?.kind).toBe('optOut');
  });

  it('a message already processed gets nothing (Sinch retried the callback)', () => {
    const state: PhoneState = { ...emptyPhoneState(), processed: { m1: T } };
    expect(decideReply(state, message('STOP'), replySettings(), { now: T })).toBeNull();
  });

  it('the event id is per (project, message, kind), so a re-decision gives the same id', () => {
    const a = decideReply(emptyPhoneState(), message('STOP'), replySettings(), { now: T })!;
    const b = decideReply(emptyPhoneState(), message('STOP'), replySettings(), { now: T + 999 })!;
    expect(a.event_id).toBe(b.event_id);
    expect(replyEventId('acme', 'm1', 'help')).not.toBe(a.event_id);
  });

  it('the state after an opt-out holds what the 24 h rule needs (the opt-out time)', () => {
    const { state } = handleMessage(emptyPhoneState(), message('STOP'), replySettings());
    expect(decideReply(state, message('STOP', 'm2', T + 1000), replySettings(), { now: T })).toBeNull();
  });
});

describe('replyCampaignEvent', () => {
  const intent = decideReply(emptyPhoneState(), message('STOP'), replySettings(), { now: T })!;
  it('tracks a sent reply with its text, from the dedicated number to the phone', () => {
    expect(replyCampaignEvent(intent, { kind: 'sent', at: T + 10 })).toMatchObject({
      status: 'auto_reply_sent', action_type: 'sms', timestamp: T + 10, message: intent.text, sender: DEDICATED, recipient: PHONE, customer_id: null,
    });
  });
  it('tracks a reply given up with the reason, under the same event id', () => {
    const failed = replyCampaignEvent(intent, { kind: 'failed', at: T + 10, reason: 'HTTP 400: bad' });
    expect(failed).toMatchObject({ status: 'auto_reply_failed', message: 'HTTP 400: bad' });
    expect(failed.event_id).toBe(replyCampaignEvent(intent, { kind: 'sent', at: T }).event_id);
  });
});

describe('reply_decided', () => {
  it('help with trackIncoming off: the reply is the only fact, no blacklist change, and the id is remembered', () => {
    const settings = replySettings();
    const before = emptyPhoneState();
    expect(decide(before, message('HELP'), settings)).toEqual([]);
    const intent = decideReply(before, message('HELP'), settings, { now: T })!;
    const after = evolve(before, replyDecided(intent));
    expect(after.blacklist).toBeNull();
    expect(Object.hasOwn(after.processed, 'm1')).toBe(true);
    expect(decideReply(after, message('HELP'), settings, { now: T + 1 })).toBeNull();
  });
});
