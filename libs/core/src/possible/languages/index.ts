// Every language with phrase rules, one file each.
import type { LanguageRules } from '../phrases.ts';
import { en } from './en.ts';
import { es } from './es.ts';
import { de } from './de.ts';
import { fr } from './fr.ts';

export const LANGUAGES: readonly LanguageRules[] = Object.freeze([en, fr, de, es]);
