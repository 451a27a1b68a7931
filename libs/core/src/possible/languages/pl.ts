// Polish. Syntax: phrases.ts. Diacritics drop and ł is l ("wysyłać" is "wysylac", "więcej" is
// "wiecej"); "SMS-ów" is two words, "sms" "ow".
import type { LanguageRules } from '../phrases.ts';

export const pl: LanguageRules = {
  language: 'pl',
  classes: {
    send: 'wysyl* pisz* pisac napisz* dzwon* kontakt* spam* przysyl* smsuj* zawracac',
    msg: 'sms smsy smsow smsa wiadomosc* wiadomosci reklam* promocj* ofert* powiadomie* newsletter* maili* spam*',
    me: 'mi nam mnie nas',
  },
  stop: [
    '^koniec $',
    'koniec [z] [tymi|tym|tych] @msg',
    'nie @send [@me] [juz] [wiecej] @msg',
    'nie @send [@me] [do] [mnie] wiecej|juz',
    'prosze|prosimy nie @send [@me] [juz] [wiecej] $|@msg|juz|wiecej',
    'nie chce|chcemy|zycze ... @msg',
    'nie chce|chcemy [juz] otrzymywac|dostawac',
    'rezygnuj* [z] [tych] @msg|subskrypcj*|newslett*|powiadom*|$',
    'rezygnacja [z] [tych] @msg|$',
    'wypisz* @me|sie|$',
    'wypisuj* sie|mnie',
    'wypisac @me|sie',
    'sie|mnie|nas wypisac|wypisz*|wypisuj*',
    'o wypisanie',
    'usun* @me',
    'usun* [moj|moje|nasz] numer|dane',
    'o usuniecie [mojego] [numeru|danych|mnie]',
    'przestan* @send',
    'przestan* [mi|nam] [wysylac|przysylac] [te] @msg',
    'daj* [@me] [swiety] spokoj',
    'dosc [tych|juz] @msg|@send',
    'nie zgadzam|zgadzalem|zgadzalam sie na @msg',
    'nigdy sie nie zapis*|zgadzal*',
    'nie zapisywal* sie',
  ],
  not: [
    'nie przestawaj*',
  ],
  notTypos: ['stol', 'stoi', 'sto', 'stop'],
};
