// French. Syntax: phrases.ts. Apostrophes are dropped inside words, so clitics join the verb:
// "m'envoyer" is "menvoyer", "n'arrêtez" is "narretez" (which is how a negated "arrêtez" escapes
// the rules without a "not" rule).
import type { LanguageRules } from '../phrases.ts';

export const fr: LanguageRules = {
  language: 'fr',
  classes: {
    arret: 'arret* darret*',
    send: 'envoy* menvoy* nousenvoy* ecri* mecri* contact* mcontact* harcel* mharcel* spam* texto* appel* mappel* solicit* sollicit* relanc* derang* importun*',
    // Clitic forms: "ne m'envoyez plus", "ne me contactez plus".
    sendme: 'menvoy* mecri* mappel* mharcel* mcontact* nousenvoy* nousecri*',
    msg: 'sms texto* message* messages pub pubs publicite* promo* offre* notification* mail* email* courriel* newsletter* relance* alerte*',
    dmsg: 'dsms dmessage* dmessages dpub* dpromo* doffre* dnotification* dmail* demail* dtexto* dalerte*',
  },
  stop: [
    '@arret de|d @send',
    '@arret de me|nous @send',
    '@arret [de|d] [les|vos|ces|tous|toutes|vos] @msg|@dmsg',
    '@arret [de|d] [menvoyer|envoyer] [les|vos|ces|des|de|tous|toutes] @msg|@dmsg',
    'cessez|cesser|stoppez|stopper @send|@msg',
    'cessez|cesser|stoppez|stopper de|d|les|vos @send|@msg|@dmsg',
    'ne @sendme plus',
    'ne me|nous @send plus',
    'ne plus @send|@sendme',
    'ne plus me|nous @send',
    'ne veux|souhaite|desire|voudrais|souhaiterais plus ... @msg|@dmsg|recevoir|etre',
    'ne veux|souhaite|desire|voudrais|souhaiterais pas [de|d] [vos] @msg|@dmsg',
    'plus de|d @msg',
    'plus @dmsg',
    'pas|fini|finis @dmsg',
    'desins*',
    'desabon*',
    'desincri*',
    'retirez|retirer|retire|supprimez|supprimer|supprime|enlevez|enlever|effacez|effacer|rayez moi|mon|nous',
    'me|nous retirer|supprimer|enlever|effacer|rayer|radier',
    'laissez|laisse|laissez moi|nous tranquille|tranquilles|en',
    'svp|stp|merci|sil stop',
    'je nai|nai jamais|pas demande|accepte|consenti|souscrit',
    'comment @arret [les|vos|ces|de|d] @msg|@dmsg|recevoir',
  ],
  not: [
    'arretez|arrete|arretes|arreter pas|jamais',
    'arret de|du bus|tram|metro|train|car|travail',
    'plus de|d stock|place|places|taille|tailles|choix|ans|temps|jours',
  ],
  notTypos: ['stp', 'qui', 'quoi', 'arrete', 'arreter', 'arret', 'stop', 'stock', 'sto'],
};
