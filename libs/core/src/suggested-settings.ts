// The settings optline suggests to a new project (GET /v1/sms-settings/defaults): offered,
// never imposed.
//
// Sources:
// - FCC, "Strengthening the Ability of Consumers To Stop Robocalls", Report and Order FCC 24-24,
//   CG Docket No. 02-278, 89 FR 15756 (March 5, 2024), adding 47 CFR 64.1200(a)(10)-(12):
//   a reply of "stop", "quit", "end", "revoke", "opt out", "cancel" or "unsubscribe" revokes
//   consent (any other reasonable wording too, see `possibleOptOuts`), and (a)(12) allows one
//   confirmation text within five minutes, with no marketing in it.
//   https://www.govinfo.gov/content/pkg/FR-2024-03-05/html/2024-04587.htm
// - CTIA, "Messaging Principles and Best Practices" (May 2023; 5.1.2.1 Confirm Opt-In for
//   Recurring Messages, 5.1.3 Consumer Opt-Out) and CTIA's Short Code Monitoring Handbook
//   (A.1: acknowledge every opt-out request, send opt-in confirmations; HELP answered): the
//   universal opt-out words carriers honour are STOP, STOPALL, UNSUBSCRIBE, CANCEL, END and
//   QUIT, HELP and INFO ask for help, START and UNSTOP opt back in.
//
// The texts below carry no brand, since optline cannot know it: CTIA expects the program's name
// and a support contact in the help text, so a project should edit them before going live.

import type { SmsReply } from './replies.ts';
import type { SmsSettings } from './settings.ts';

/**
 * The FCC's and CTIA's universal opt-out words, plus French `arret`. "OPT OUT" is listed as
 * people know it, though white space is ignored and it merges into "OPTOUT" when validated.
 */
export const DEFAULT_OPT_OUT_KEYWORDS: readonly string[] = Object.freeze([
  'STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'OPT OUT', 'arret',
]);
export const DEFAULT_OPT_IN_KEYWORDS: readonly string[] = Object.freeze(['START', 'UNSTOP']);
export const DEFAULT_HELP_KEYWORDS: readonly string[] = Object.freeze(['HELP', 'INFO']);

/** One confirmation, no marketing (47 CFR 64.1200(a)(12)); how to come back is not marketing. */
export const DEFAULT_REPLIES: readonly SmsReply[] = Object.freeze([
  { kind: 'optOut', text: 'You are unsubscribed and will receive no more messages from this number. Reply START to subscribe again.', keywords: [] },
  {
    kind: 'optOut', keywords: ['arret'],
    text: 'Vous êtes désinscrit et ne recevrez plus de messages de ce numéro. Répondez START pour vous réinscrire.',
  },
  { kind: 'optIn', text: 'You are subscribed again. Reply STOP to unsubscribe, HELP for help. Msg & data rates may apply.', keywords: [] },
  { kind: 'help', text: 'Reply STOP to unsubscribe, START to subscribe again. Msg & data rates may apply.', keywords: [] },
].map((r) => Object.freeze({ ...r, keywords: Object.freeze(r.keywords) }) as SmsReply));

/**
 * A settings document as PUT takes it; `consentCategories` and `dedicatedNumbers` are the
 * project's own, left empty in the suggestion.
 */
export type SuggestedSettings = Omit<SmsSettings, 'project' | 'version' | 'updatedAt'>;

export function suggestedSettings(): SuggestedSettings {
  return {
    trackIncoming: true,
    optOutEnabled: true,
    keywords: DEFAULT_OPT_OUT_KEYWORDS,
    optInKeywords: DEFAULT_OPT_IN_KEYWORDS,
    helpKeywords: DEFAULT_HELP_KEYWORDS,
    replies: DEFAULT_REPLIES,
    possibleOptOuts: 'flag',
    consentCategories: [],
    dedicatedNumbers: [],
  };
}
