import { describe, expect, it } from 'vitest';
import { decideSettingsCommand, PendingSettings, validateSettings, type SettingsCommand, type SettingsView, type SmsSettings } from '@optline/core';
import { settingsOf } from './results.ts';

const NOW = 1_700_000_000_000;
const doc = (numbers: string[], extra: object = {}) => ({ trackIncoming: true, optOutEnabled: false, dedicatedNumbers: numbers, ...extra });

function command(project: string, document: unknown, ifMatch: number | null = null, overrides: Partial<SettingsCommand> = {}): SettingsCommand {
  return { command_id: `c-${project}`, project, document: JSON.stringify(document), if_match: ifMatch, requested_at: NOW, expires_at: NOW + 25_000, ...overrides };
}

function view(stored: SmsSettings[]): SettingsView {
  return {
    get: (project) => stored.find((s) => s.project === project),
    ownerOfNumber: (number) => stored.find((s) => s.dedicatedNumbers.includes(number))?.project,
  };
}

const shop = settingsOf(validateSettings('shop', doc(['12345'])));

describe('decideSettingsCommand', () => {
  it('stores the next version with requested_at as updatedAt', () => {
    const { outcome, settings } = decideSettingsCommand(view([shop]), command('shop', doc(['12345', '23456'])), NOW + 5);
    expect(settings).toMatchObject({ project: 'shop', version: 2, dedicatedNumbers: ['12345', '23456'], updatedAt: NOW });
    expect(outcome).toEqual({ command_id: 'c-shop', project: 'shop', outcome: 'stored', version: 2, errors: [], conflicts: [], decided_at: NOW + 5 });
  });

  it('applies If-Match to the stored version: equal stores, other refuses naming the stored one, 0 means none yet', () => {
    expect(decideSettingsCommand(view([shop]), command('shop', doc(['12345']), 1), NOW).outcome).toMatchObject({ outcome: 'stored', version: 2 });
    expect(decideSettingsCommand(view([shop]), command('shop', doc(['12345']), 3), NOW)).toMatchObject({ outcome: { outcome: 'precondition_failed', version: 1 }, settings: null });
    expect(decideSettingsCommand(view([shop]), command('shop', doc(['12345']), 0), NOW).outcome).toMatchObject({ outcome: 'precondition_failed', version: 1 });
    expect(decideSettingsCommand(view([]), command('cafe', doc(['555']), 0), NOW).outcome).toMatchObject({ outcome: 'stored', version: 1 });
  });

  it('checks the precondition before the document, and the expiry before both', () => {
    expect(decideSettingsCommand(view([shop]), command('shop', { broken: true }, 7), NOW).outcome.outcome).toBe('precondition_failed');
    const late = command('shop', doc(['12345']), null, { expires_at: NOW - 1 });
    expect(decideSettingsCommand(view([shop]), late, NOW)).toMatchObject({ outcome: { outcome: 'expired', version: null }, settings: null });
  });

  it('refuses an invalid document with every error, and a number of another project as a conflict', () => {
    const invalid = decideSettingsCommand(view([shop]), command('cafe', { trackIncoming: 'yes', optOutEnabled: false, dedicatedNumbers: ['12345'] }), NOW);
    expect(invalid.settings).toBeNull();
    expect(invalid.outcome.outcome).toBe('invalid');
    expect(invalid.outcome.errors.map((e) => e.field)).toEqual(['trackIncoming', 'dedicatedNumbers[0]']);
    expect(invalid.outcome.conflicts).toEqual([{ field: 'dedicatedNumbers[0]', number: '12345', project: 'shop' }]);
    expect(decideSettingsCommand(view([]), { ...command('cafe', {}), document: '{' }, NOW).outcome.errors).toEqual([{ field: '', rule: 'type', message: 'settings must be a JSON object' }]);
  });
});

describe('PendingSettings', () => {
  it('lets a batch see its own decisions: versions follow on, numbers taken or released', () => {
    const pending = new PendingSettings(view([shop]));
    const first = decideSettingsCommand(pending, command('shop', doc(['23456'])), NOW);
    pending.set(first.settings!);
    expect(decideSettingsCommand(pending, command('shop', doc(['23456']), 2), NOW).outcome).toMatchObject({ outcome: 'stored', version: 3 });
    // shop released 12345 in the batch, so cafe may take it; 23456 is shop's now.
    expect(pending.ownerOfNumber('12345')).toBeUndefined();
    expect(pending.ownerOfNumber('23456')).toBe('shop');
    const cafe = decideSettingsCommand(pending, command('cafe', doc(['12345', '23456'])), NOW);
    expect(cafe.outcome.conflicts).toEqual([{ field: 'dedicatedNumbers[1]', number: '23456', project: 'shop' }]);
  });
});
