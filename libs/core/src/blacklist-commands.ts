// The opt-out list commands: an operator's manual block or clear, and each line of an imported
// list. The API sends them to the matcher (optline.blacklist-commands.v1, keyed by the canonical
// phone, so they are ordered with that phone's replies) and the matcher decides them here, with
// the phone's state, like a reply: a manual clear and a STOP sent at the same moment are applied
// one after the other, and the history says in which order.

import type * as records from '@optline/schemas/records';
import type { Fact, PhoneState } from './facts.ts';
import { selectProfilesToUnsubscribe } from './profiles.ts';
import { uuidV5 } from './uuid.ts';

/** An opt-out list change: a manual block or clear, or one line of an imported list. */
export type BlacklistCommand = records.BlacklistCommand;

/** What of the project's settings a command needs. */
export interface CommandSettings {
  optOutEnabled: boolean;
  consentCategories: readonly string[];
}

/**
 * The facts of one command.
 *
 * - A command id already processed: nothing (a redelivered record).
 * - Import: `blacklisted` (source import) unless the phone is already on the list, whatever put
 *   it there; so importing the same file twice changes nothing. No consent events: an imported
 *   opt-out was given, and recorded, in the system it comes from, often long ago; tracking
 *   rejects dated today for every line of a migrated list would misstate when consent changed.
 * - Manual block: `blacklisted` (source manual) unless already on the list; and, while the
 *   project uses opt-out keywords, `opted_out` so consent rejects are tracked for the phone's
 *   profiles in the configured categories, as for a STOP: an operator blocks a number because
 *   its customer asked, by another channel, to hear no more.
 * - Manual clear: `blacklist_cleared` (reason manual) when on the list.
 */
export function decideBlacklistCommand(state: PhoneState, command: BlacklistCommand, settings: CommandSettings): Fact[] {
  if (Object.hasOwn(state.processed, command.command_id)) return [];
  const { project, phone, command_id, actor, reason, requested_at } = command;
  if (command.action === 'CLEAR') {
    if (state.blacklist === null) return [];
    return [{ type: 'blacklist_cleared', project, phone, reason: 'manual', message_id: command_id, at: requested_at, actor, note: reason }];
  }
  if (state.blacklist !== null) return [];
  const blocked_at = command.source === 'import' ? (command.opted_out_at ?? requested_at) : requested_at;
  const facts: Fact[] = [{
    type: 'blacklisted', project, phone, keyword: '', message_id: command_id, blocked_at,
    source: command.source, actor, reason, at: requested_at,
  }];
  if (command.source === 'manual' && settings.optOutEnabled && settings.consentCategories.length > 0) {
    facts.push({
      type: 'opted_out', project, phone, message_id: command_id, keyword: '', received_at: requested_at, body: reason,
      sender: phone, recipient: '',
      customer_ids: selectProfilesToUnsubscribe(state.profiles),
      categories: [...settings.consentCategories],
    });
  }
  return facts;
}

/** Why a command line or request is refused: the field and the rule, as the API reports them. */
export interface CommandProblem {
  field: string;
  rule: string;
  message: string;
}

export const REASON_MAX = 500;

/** A reason is required for every manual change, and bounded (it travels in every record). */
export function reasonProblem(reason: unknown, field = 'reason'): CommandProblem | null {
  if (typeof reason !== 'string' || reason.trim().length === 0) return { field, rule: 'required', message: `${field}: a reason is required for a manual change` };
  if (reason.length > REASON_MAX) return { field, rule: 'max_length', message: `${field}: at most ${REASON_MAX} characters` };
  return null;
}

// The uuidV5 namespace of imported lines' command ids (a random v4 UUID, fixed forever).
const IMPORT_NAMESPACE = Buffer.from('3f0c9a2e5b7d4c1e9a8f6b2d4e1c7a90', 'hex');

/** An imported line's command id: the same line (project, phone, opted_out_at) always gets the same id. */
export function importCommandId(project: string, phone: string, optedOutAt: number | null): string {
  return uuidV5(IMPORT_NAMESPACE, JSON.stringify([project, phone, optedOutAt]));
}
