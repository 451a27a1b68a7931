// @optline/core: the pure rules of optline (no I/O), shared by every service.
export * from './normalize.ts';
export * from './keywords.ts';
export * from './phone.ts';
export * from './settings.ts';
export * from './compiled-settings.ts';
export * from './facts.ts';
export * from './profiles.ts';
export * from './decide.ts';
export * from './evolve.ts';
export * from './events.ts';
export * from './reply-decision.ts';
export * from './replies.ts';
export * from './suggested-settings.ts';
export * from './possible/detector.ts';
export * from './possible/phrases.ts';
export * from './possible/typos.ts';
export * from './possible/words.ts';
export { LANGUAGES } from './possible/languages/index.ts';
