// Czech. Syntax: phrases.ts. Diacritics drop ("Přestaňte" is "prestante", "žádné" is "zadne").
import type { LanguageRules } from '../phrases.ts';

export const cs: LanguageRules = {
  language: 'cs',
  classes: {
    send: 'psat pis* posil* zasil* volat vola* kontakt* otravov* spamov* obtezov*',
    msg: 'sms smsky smsek esemesky zprav* zpravy reklam* nabid* akce newslett* emaily* maily* upozorneni notifikace spam',
    dont: 'nepiste nepis neposilejte neposilej nezasilejte nevolejte nevolej nekontaktujte neotravujte nespamujte neobtezujte',
    me: 'mi nam me mne nas',
  },
  stop: [
    '@dont [@me] [uz|jiz] [vic|vice|zadne|dalsi|nic] @msg|uz|jiz|vic|vice|$',
    'uz|jiz|nic [mi|nam] [nic] @dont',
    'nechci|nechceme [uz|jiz] ... @msg',
    'nechci|nechceme [uz|jiz] dostavat|dostat|prijimat',
    'zadne|zadna|zadnou @msg uz|vic|vice|prosim|dekuji|diky|$',
    'prestan* [@me] [uz] @send',
    'smaz*|vymaz*|odstran*|odeber*|vyrad* @me|moje|muj|cislo',
    'dej* [@me] [uz] [svaty] pokoj',
    'neprihlasil*|neregistroval*|nesouhlasil*',
    'prosim stop',
    '^konec $',
    'konec [s] [temi|tech|s] @msg',
    'odhlas*',
    'zrus* [mi|nam] odber|odebirani|zasilani|@msg',
  ],
  not: [
    'neprisla|neprisel|neprislo|neprisly|nedorazila|nedorazil|nedosla|nedoslo',
  ],
  notTypos: ['sto', 'stul', 'stoj', 'stoup'],
};
