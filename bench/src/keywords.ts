// bench keywords: the compiled keyword matcher against the naive definition (normalise the
// whole body, then startsWith for each keyword) on the same corpus, in the same run.
// Target (issue 3): at least 3x the baseline and 3 M messages/s on one core.
// The possible-opt-out detector's rows (issue 18: >= 500k bodies/s on one core) are in
// possible-rows.ts.

import { compileKeywords, DEFAULT_OPT_OUT_KEYWORDS, naiveMatch, normalize } from '@optline/core';
import { possibleRows } from './possible-rows.ts';
import { printResults, runBench, type BenchCase } from './harness.ts';
import { seededRandom as random } from '@optline/test/random';


const next = random(2024);
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;

// Opt-out words in the languages of a European SMS sender, then made-up words up to 100.
const REAL_KEYWORDS = [
  ...DEFAULT_OPT_OUT_KEYWORDS, 'stopp', 'stoppen', 'abmelden', 'austragen', 'désabonner', 'désinscrire',
  'baja', 'parar', 'cancelar', 'annulla', 'disiscrivi', 'odhlásiť', 'odhlásit', 'zrušiť', 'koniec',
  'wypisz', 'afmelden', 'avsluta', 'lopeta', 'leiratkozás', 'dezabonare', 'απεγγραφή', 'стоп', 'отписаться',
];
const LETTERS = 'abcdefghijklmnopqrstuvwxyzáéíóúäöüčšžřýô';

function word(min: number, max: number): string {
  let w = '';
  const n = min + Math.floor(next() * (max - min + 1));
  for (let i = 0; i < n; i++) w += LETTERS[Math.floor(next() * LETTERS.length)];
  return w;
}

const keywords: string[] = [...REAL_KEYWORDS];
while (keywords.length < 100) keywords.push(word(3, 12));

const REPLIES = [
  'Yes', 'No', 'ok', 'OK thanks', 'Thank you!', 'What time?', 'Who is this?', 'See you tomorrow', 'Confirmed',
  'Please call me back', 'Wrong number', 'Ďakujem, prídem', 'Merci beaucoup', 'Danke schön', 'Gracias',
  'Can I reschedule to Friday?', '👍', 'Love it ❤️', 'Y', 'N', '1', '2', 'Where is my parcel?', 'Not interested',
];
const WORDS = ['the', 'order', 'delivery', 'please', 'time', 'appointment', 'hello', 'thanks', 'when', 'tomorrow', 'price', 'help', 'start', 'stars'];

function sentence(length: number): string {
  let s = pick(REPLIES);
  while (s.length < length) s += ' ' + pick(WORDS);
  return s.slice(0, length);
}

/** Mostly short replies, some opt-outs in varied spellings, ~10 % long (160-1600 characters). */
function corpus(size: number): string[] {
  const bodies: string[] = [];
  for (let i = 0; i < size; i++) {
    const r = next();
    if (r < 0.1) bodies.push(sentence(160 + Math.floor(next() * 1441)));
    else if (r < 0.2) bodies.push(pick(['', ' ', 'STOP', 'Stop', '  stop please', 'ARRÊT', 'Odhlásiť', 'ＳＴＯＰ', 'Opt out']) + (next() < 0.5 ? '' : ' ' + sentence(20)));
    else bodies.push(sentence(5 + Math.floor(next() * 36)));
  }
  // Built by concatenation, the bodies are ropes and slices; decoded from the wire (JSON,
  // Avro) they would be flat strings, so make them so.
  return JSON.parse(JSON.stringify(bodies)) as string[];
}

export async function run(): Promise<void> {
  const size = Number(process.env.BENCH_KEYWORDS_CORPUS ?? 200_000);
  process.stderr.write(`keywords: building a corpus of ${size} bodies\n`);
  const bodies = corpus(size);
  const long = bodies.filter((b) => b.length >= 160);
  const matcher = compileKeywords(keywords);

  // Both must answer alike, or the comparison means nothing.
  let matched = 0;
  for (const body of bodies) {
    const answer = matcher.match(body);
    if (answer !== naiveMatch(keywords, body)) throw new Error(`matchers disagree on ${JSON.stringify(body)}`);
    if (answer !== null) matched++;
  }

  // One function per case, not one shared loop: a shared call site would see both matchers
  // and be optimised for neither.
  const cases: BenchCase[] = [
    {
      name: 'naive, all bodies', ops: bodies.length,
      fn: () => bodies.reduce((n, body) => (naiveMatch(keywords, body) === null ? n : n + 1), 0),
    },
    {
      name: 'compiled, all bodies', ops: bodies.length, baseline: 'naive, all bodies',
      fn: () => bodies.reduce((n, body) => (matcher.match(body) === null ? n : n + 1), 0),
    },
    {
      name: 'naive, long bodies', ops: long.length,
      fn: () => long.reduce((n, body) => (naiveMatch(keywords, body) === null ? n : n + 1), 0),
    },
    {
      name: 'compiled, long bodies', ops: long.length, baseline: 'naive, long bodies',
      fn: () => long.reduce((n, body) => (matcher.match(body) === null ? n : n + 1), 0),
    },
  ];
  const possible = possibleRows(bodies.filter((b) => matcher.match(b) === null));
  cases.push(...possible.cases);
  const options = { title: 'keywords: compiled matcher vs naive (normalise all, startsWith); possible-opt-out detector vs normalize', unit: 'msg' };
  const results = runBench(options, cases);
  printResults(options, results);
  const avg = bodies.reduce((n, b) => n + b.length, 0) / bodies.length;
  process.stdout.write(
    `${keywords.length} keywords (longest normalised: ${Math.max(...keywords.map((k) => normalize(k).length))}); ` +
      `${bodies.length} bodies, ${long.length} of 160-1600 chars, mean ${avg.toFixed(0)} chars; ${matched} match.\n`,
  );
  const compiled = results.find((r) => r.name === 'compiled, all bodies')!;
  const ok = compiled.opsPerSecond >= 3_000_000 && (compiled.ratio ?? 0) >= 3;
  process.stdout.write(`target (>= 3,000,000 msg/s and >= 3x naive on all bodies): ${ok ? 'met' : 'NOT met'}\n`);
  possible.report(results);
}
