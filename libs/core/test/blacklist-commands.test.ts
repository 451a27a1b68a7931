import { describe, expect, it } from 'vitest';
import {
  blacklistChanges, blacklistEntryFor, compiledSettings, decide, decideBlacklistCommand, decideConsentTracked, emptyPhoneState, evolve,
  reasonProblem, validateSettings, type BlacklistCommand, type Fact, type PhoneState,
} from '@optline/core';

const PHONE = '00421905123456';
const T = 1_700_000_000_000;
const settings = { optOutEnabled: true, consentCategories: ['sms'] };

function command(action: BlacklistCommand['action'], source: BlacklistCommand['source'] = 'manual', id = `c-${action}-${source}`, at = T): BlacklistCommand {
  return { command_id: id, project: 'acme', phone: PHONE, action, source, actor: 'agent@acme', reason: 'asked by e-mail', opted_out_at: source === 'import' ? T - 86_400_000 : null, requested_at: at };
}

const fold = (state: PhoneState, facts: Fact[]) => facts.reduce(evolve, state);
const withProfile: PhoneState = { ...emptyPhoneState(), profiles: [{ customer_id: 'c1', last_sent_at: T - 10, updated_at: null }] };

describe('decideBlacklistCommand', () => {
  it('a manual block blacklists with source, actor and reason, and owes consent rejects for the profiles', () => {
    const facts = decideBlacklistCommand(withProfile, command('BLOCK'), settings);
    expect(facts.map((f) => f.type)).toEqual(['blacklisted', 'opted_out']);
    expect(facts[1]).toMatchObject({ customer_ids: ['c1'], categories: ['sms'], message_id: 'c-BLOCK-manual', body: 'asked by e-mail' });
    const entry = blacklistEntryFor('acme', PHONE, fold(withProfile, facts));
    expect(entry).toMatchObject({ status: 'BLOCKED', source: 'manual', actor: 'agent@acme', reason: 'asked by e-mail', message_id: 'c-BLOCK-manual', blocked_at: T });
  });

  it('a manual block owes no consent events while the project uses no opt-out keywords', () => {
    expect(decideBlacklistCommand(withProfile, command('BLOCK'), { optOutEnabled: false, consentCategories: [] }).map((f) => f.type)).toEqual(['blacklisted']);
  });

  it('an import blacklists at its opted_out_at, tracks no consent, and a second import of the same line changes nothing', () => {
    const first = decideBlacklistCommand(withProfile, command('BLOCK', 'import', 'i1'), settings);
    expect(first.map((f) => f.type)).toEqual(['blacklisted']);
    const after = fold(withProfile, first);
    expect(after.blacklist).toMatchObject({ source: 'import', blocked_at: T - 86_400_000, updated_at: T });
    expect(decideBlacklistCommand(after, command('BLOCK', 'import', 'i1'), settings)).toEqual([]);
    // Another file naming the same phone (another command id), much later: still nothing.
    expect(decideBlacklistCommand(after, command('BLOCK', 'import', 'i2', T + 30 * 86_400_000), settings)).toEqual([]);
  });

  it('a block of a phone already on the list changes nothing; a clear of one not on it neither', () => {
    const blocked = fold(withProfile, decideBlacklistCommand(withProfile, command('BLOCK'), settings));
    expect(decideBlacklistCommand(blocked, command('BLOCK', 'manual', 'other'), settings)).toEqual([]);
    expect(decideBlacklistCommand(emptyPhoneState(), command('CLEAR'), settings)).toEqual([]);
  });

  it('a manual clear and a STOP at the same moment: whichever the matcher takes last decides, and the history shows both in order', () => {
    const s = validateSettings('acme', { trackIncoming: false, optOutEnabled: true, keywords: ['stop'], consentCategories: ['sms'], dedicatedNumbers: ['12345'] });
    if (!s.ok) throw new Error('settings');
    const compiled = compiledSettings({ ...s.settings, version: 3 });
    const stop = { message_id: 'm1', project: 'acme', from: PHONE, to: '12345', body: 'STOP', received_at: T };
    const blockedByHand = fold(withProfile, decideBlacklistCommand(withProfile, command('BLOCK', 'manual', 'b0', T - 5000), settings));
    // Clear first, then STOP: blacklisted again by the STOP.
    const clear = decideBlacklistCommand(blockedByHand, command('CLEAR', 'manual', 'c1', T), settings);
    const cleared = fold(blockedByHand, clear);
    const stopFacts = decide(cleared, stop, compiled);
    const end1 = fold(cleared, stopFacts);
    expect(end1.blacklist).toMatchObject({ status: 'BLOCKED', source: 'keyword', message_id: 'm1' });
    expect([...blacklistChanges(clear, cleared, null), ...blacklistChanges(stopFacts, end1, 3)].map((c) => [c.kind, c.status])).toEqual([['cleared_manually', null], ['opted_out', 'BLOCKED']]);
    // STOP first, then the clear: off the list, and the clear says who and why.
    const stopFirst = decide(blockedByHand, stop, compiled);
    const blockedAgain = fold(blockedByHand, stopFirst);
    const clearLast = decideBlacklistCommand(blockedAgain, command('CLEAR', 'manual', 'c1', T), settings);
    const end2 = fold(blockedAgain, clearLast);
    expect(end2.blacklist).toBeNull();
    expect(blacklistChanges(clearLast, end2, null)).toEqual([expect.objectContaining({ kind: 'cleared_manually', actor: 'agent@acme', reason: 'asked by e-mail', status: null, message_id: 'c1' })]);
  });
});

describe('blacklistChanges', () => {
  it('explains a keyword opt-out with the message, its body, the keyword and the settings version; then consent tracked', () => {
    const s = validateSettings('acme', { trackIncoming: true, optOutEnabled: true, keywords: ['stop'], consentCategories: ['sms'], dedicatedNumbers: ['12345'] });
    if (!s.ok) throw new Error('settings');
    const facts = decide(withProfile, { message_id: 'm1', project: 'acme', from: PHONE, to: '12345', body: 'Stop please', received_at: T }, compiledSettings({ ...s.settings, version: 7 }));
    const after = fold(withProfile, facts);
    expect(blacklistChanges(facts, after, 7)).toEqual([{
      project: 'acme', phone: PHONE, at: T, kind: 'opted_out', status: 'BLOCKED', source: 'keyword', message_id: 'm1', body: 'Stop please',
      keyword: 'stop', settings_version: 7, blocked_at: T, actor: null, reason: null,
    }]);
    const tracked = decideConsentTracked(after, { project: 'acme', phone: PHONE, message_id: 'm1', at: T + 3_600_000 });
    expect(blacklistChanges(tracked, fold(after, tracked), null)).toEqual([expect.objectContaining({ kind: 'consent_tracked', status: 'CONSENT_TRACKED', message_id: 'm1', at: T + 3_600_000 })]);
  });
});

describe('reasonProblem', () => {
  it('requires a non-blank reason of at most 500 characters', () => {
    expect(reasonProblem(undefined)).toMatchObject({ field: 'reason', rule: 'required' });
    expect(reasonProblem('  ')).toMatchObject({ rule: 'required' });
    expect(reasonProblem('x'.repeat(501))).toMatchObject({ rule: 'max_length' });
    expect(reasonProblem('customer asked by e-mail')).toBeNull();
  });
});
