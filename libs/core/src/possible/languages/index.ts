// Every language with phrase rules, one file each.
import type { LanguageRules } from '../phrases.ts';
import { cs } from './cs.ts';
import { de } from './de.ts';
import { en } from './en.ts';
import { es } from './es.ts';
import { fr } from './fr.ts';
import { it } from './it.ts';
import { nl } from './nl.ts';
import { pl } from './pl.ts';
import { pt } from './pt.ts';
import { sk } from './sk.ts';

export const LANGUAGES: readonly LanguageRules[] = Object.freeze([en, fr, de, es, it, pt, nl, pl, cs, sk]);
