// Settings changes as commands, decided by one writer in order (SPEC.md: writes are
// compare-and-set, and no update is lost when several API instances write at once).

import type * as records from '@optline/schemas/records';
import type { Frozen } from './record-types.ts';
import { validateSettings, type NumberConflict, type SettingsError, type SmsSettings } from './settings.ts';

/** A request to change a project's settings. */
export type SettingsCommand = Frozen<records.SettingsCommand>;

export type SettingsOutcomeKind = records.SettingsOutcomeKind;

/** What the writer did with a command. */
export type SettingsOutcome = Frozen<records.SettingsOutcome>;

/** The stored settings as the writer sees them, its own earlier decisions included. */
export interface SettingsView {
  get(project: string): SmsSettings | undefined;
  ownerOfNumber(number: string): string | undefined;
}

export interface SettingsDecision {
  readonly outcome: SettingsOutcome;
  /** The settings to store, when the outcome is `stored`. */
  readonly settings: SmsSettings | null;
}

/** The stored version a precondition compares with: 0 for a project without settings. */
export function storedVersion(settings: SmsSettings | undefined): number {
  return settings?.version ?? 0;
}

/**
 * Decides one command against the settings stored before it. The order of checks makes a
 * refusal say the most useful thing: too late first (nobody is waiting), then a stale
 * If-Match (the author must re-read before anything else matters), then the document.
 */
export function decideSettingsCommand(view: SettingsView, command: SettingsCommand, now: number): SettingsDecision {
  const { command_id, project } = command;
  const answer = (outcome: SettingsOutcomeKind, version: number | null, errors: readonly SettingsError[] = [], conflicts: readonly NumberConflict[] = []) =>
    ({ outcome: { command_id, project, outcome, version, errors, conflicts, decided_at: now }, settings: null });
  if (now > command.expires_at) return answer('expired', null);
  const previous = view.get(project);
  if (command.if_match !== null && command.if_match !== storedVersion(previous)) return answer('precondition_failed', storedVersion(previous));
  let input: unknown;
  try {
    input = JSON.parse(command.document);
  } catch {
    return answer('invalid', null, [{ field: '', rule: 'type', message: 'settings must be a JSON object' }]);
  }
  const result = validateSettings(project, input, {
    ownerOfNumber: (number) => view.ownerOfNumber(number),
    now: command.requested_at,
    ...(previous === undefined ? {} : { previous }),
  });
  if (!result.ok) return answer('invalid', null, result.errors, result.conflicts ?? []);
  return { outcome: { command_id, project, outcome: 'stored', version: result.settings.version, errors: [], conflicts: [], decided_at: now }, settings: result.settings };
}

/**
 * A view with a batch's decisions laid over the stored settings, so that commands decided
 * together (one transaction) see each other: versions follow on, numbers stay claimed.
 */
export class PendingSettings implements SettingsView {
  private readonly pending = new Map<string, SmsSettings>();

  constructor(private readonly stored: SettingsView) {}

  get(project: string): SmsSettings | undefined {
    return this.pending.get(project) ?? this.stored.get(project);
  }

  ownerOfNumber(number: string): string | undefined {
    const owner = this.stored.ownerOfNumber(number);
    if (owner !== undefined && (this.pending.get(owner)?.dedicatedNumbers.includes(number) ?? true)) return owner;
    for (const [project, settings] of this.pending) if (settings.dedicatedNumbers.includes(number)) return project;
    return undefined;
  }

  set(settings: SmsSettings): void {
    this.pending.set(settings.project, settings);
  }

  /** The decided settings, in the order they were first changed in the batch. */
  values(): SmsSettings[] {
    return [...this.pending.values()];
  }
}
