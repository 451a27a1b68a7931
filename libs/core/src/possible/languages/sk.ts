// Slovak. Syntax: phrases.ts. Diacritics drop ("Prestaňte" is "prestante", "žiadne" is "ziadne").
import type { LanguageRules } from '../phrases.ts';

export const sk: LanguageRules = {
  language: 'sk',
  classes: {
    send: 'pisat pis* posiel* zasiel* volat vola* kontakt* otravov* spamov* obtazov*',
    msg: 'sms smsky smsiek esemesky sprav* spravy reklam* ponuk* akcie newslett* emaily* maily* upozorneni* notifikacie spam',
    dont: 'nepiste nepis neposielajte neposielaj nezasielajte nevolajte nevolaj nekontaktujte neotravujte nespamujte neobtazujte',
    me: 'mi nam ma mna nas',
  },
  stop: [
    '@dont [@me] [uz] [viac|ziadne|dalsie|nic] @msg|uz|viac|$',
    'uz|viac|nic [mi|nam] [nic] @dont',
    'nechcem|nechceme [uz] ... @msg',
    'nechcem|nechceme [uz] dostavat|dostat|prijimat',
    'ziadne|ziadnu|ziadna @msg uz|viac|prosim|dakujem|dik|$',
    'prestan* [@me] [uz] @send',
    'vymaz*|zmaz*|odstran*|vyrad* @me|moje|moj|cislo',
    'daj* [@me] [uz] [svaty] pokoj',
    'neprihlasil*|neregistroval*|nesuhlasil*',
    'prosim stop',
    '^koniec $',
    'koniec [s] [tymi|tych] @msg',
    'odhlas*',
    'zrus* [mi|nam] odber|odoberanie|zasielanie|@msg',
  ],
  not: [
    'neprisla|neprisiel|neprislo|neprisli|nedorazila|nedorazil|nedosla|nedoslo',
  ],
  notTypos: ['sto', 'stol', 'stoj'],
};
