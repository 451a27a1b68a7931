// Dutch. Syntax: phrases.ts. "sms'en" is "smsen" (apostrophes drop inside words).
import type { LanguageRules } from '../phrases.ts';

export const nl: LanguageRules = {
  language: 'nl',
  classes: {
    send: 'stur* stuur* zend* sms* smsen bel* mail* appen app* contact* lastig* spam*',
    msg: 'sms smsjes smsen berichten* bericht berichtjes reclame* aanbieding* nieuwsbrie* mail* mailtjes email* spam promoties promotie* notificaties meldingen',
    me: 'me mij ons',
    list: 'lijst bestand database systeem mailinglijst verzendlijst bestanden',
  },
  stop: [
    'afmeld*',
    'meld* [@me] [aub|alstublieft|alsjeblieft|graag] af',
    'uitschrijv*',
    'schrijf* [@me] [aub|alstublieft|alsjeblieft|graag] uit',
    'geen @msg meer',
    'geen [verdere] @msg aub|alstublieft|alsjeblieft|svp|graag|$',
    'geen reclame|spam',
    'niet meer @send|sturen|smsen|benaderen',
    '@send [@me] [aub|alstublieft|alsjeblieft] niet meer',
    '@send [@me] geen @msg meer',
    'haal* [@me|mijn] [nummer] van|uit [de|jullie|uw|het|deze|die|je] @list',
    'verwijder* @me',
    'verwijder* mijn|m|ons nummer|gegevens|telefoonnummer|nr|contactgegevens',
    'laat @me [toch|nou] met rust',
    'hou|houd|houdt|stop|stoppen op met [die|deze|de|jullie|uw|je|al|alle] @msg|@send',
    'hou|houd|houdt [nou|toch] [eens] op $',
    'hou|houd|houdt [nou|toch] [eens] op aub|alstublieft|alsjeblieft|ermee',
    'kap* [nou] [eens] met @msg|@send|dit|dat|die|deze',
    'kap* ermee',
    'nooit aangemeld|ingeschreven|toestemming|aanmelding',
    'aub|alstublieft|alsjeblieft|graag stop',
    'wil|willen [graag] [deze|die|jullie|uw] @msg niet meer',
    'stoppen met @send|@msg',
  ],
  not: [
    'niet stoppen|ophouden',
    'nooit stoppen|ophouden',
    'geen @msg ontvangen|gekregen|gehad|binnen|gezien',
    'stop|stoppen niet',
  ],
  notTypos: ['stip', 'stok', 'stof', 'stom', 'stoep'],
};
