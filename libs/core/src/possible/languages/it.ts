// Italian. Syntax: phrases.ts. "Cancella…" and "cancellatemi" start with the keyword CANCEL.
import type { LanguageRules } from '../phrases.ts';

export const it: LanguageRules = {
  language: 'it',
  classes: {
    send: 'mand* invi* scriv* contatt* chiam* disturb* spamm* messaggi*',
    msg: 'sms messaggi* messaggio msg pubblicita promo* offert* notific* mail* email* newsletter* spam comunicazion*',
    removeme: 'toglietemi toglimi rimuovetemi rimuovimi eliminatemi eliminami levatemi levami',
  },
  stop: [
    '^basta $',
    'basta [con] [i|gli|le|questi|queste|vostri|vostre|tutti] @msg|@send',
    'basta per favore|grazie|ora|adesso',
    'smett* di|de|con @send|@msg',
    'smett* di|de|con [i|le|questi|queste] @msg',
    'smett* [la|pure] $',
    'non @send [mi|ci] [piu] [@msg] piu',
    'non @send piu',
    'non mi|ci @send piu',
    'non voglio|desidero|vogliamo piu ricevere|@msg',
    'non voglio|desidero|vogliamo [piu] ... @msg',
    'niente|mai piu @msg',
    'disiscriv*',
    'disiscrizion*',
    'desiscriv*',
    '@removeme',
    'rimuov*|elimin*|togli*|cancell* il|mio [mio] numero',
    'rimuov*|elimin*|togli*|cancell* i miei dati',
    'lasciatemi|lasciami|lasciateci in pace',
    'favore stop',
    'mai iscritto|iscritta|registrato|registrata|autorizzato|autorizzata',
    'annull* [la] [mia] iscrizione',
    'non sono interessato|interessata ... @removeme|rimuov*|basta|stop|smett*',
  ],
  not: [
    'non smett*',
    'mai smett*',
    'nessun|nessuno @msg ricevuto|arrivato',
  ],
  notTypos: ['sto', 'stai', 'sta', 'stop'],
};
