// `optline match --keyword K ...`: the keyword rules on the command line, for trying keyword
// sets and for checking the matcher against other implementations.

import {
  compileKeywords, compilePossibleOptOuts, KeywordRuleError, MAX_KEYWORD_LENGTH, MAX_KEYWORDS, type KeywordMatcher, type PossibleOptOutDetector,
} from '@optline/core';

const HELP = `Usage: optline match --keyword K [--keyword K ...]

Reads one JSON string per line on stdin (a message body) and writes one JSON object per line
on stdout: {"matched": true|false, "keyword": <the configured keyword that won, or null>}, and
for a body that matched no keyword also "possible": true|false, whether it reads as a request
to stop all the same (a typo of a keyword, or a phrase such as "please stop texting me" in one
of en, fr, de, es, it, pt, nl, pl, cs, sk).

A body matches keyword K when, after Unicode NFKD, dropping accents, lower-casing and removing
all white space, the body starts with K treated the same way; the longest keyword wins.

Options:
  -k, --keyword K   an opt-out keyword (repeatable; 1-${MAX_KEYWORDS} keywords of 1-${MAX_KEYWORD_LENGTH} characters)
  --explain         for a possible opt-out, also "reason", "rule", "language" and "evidence"
  -h, --help        this help

Exit codes:
  0  every line answered
  2  bad arguments or keywords (the message names the rule), or a line that is not a JSON
     string: the lines before it are answered, then the message names the line number and
     nothing more is read
`;

export interface MatchIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

type Parsed = { help: true } | { help: false; keywords: string[]; explain: boolean } | { error: string };

function parseArgs(args: string[]): Parsed {
  const keywords: string[] = [];
  let explain = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h' || arg === '--help') return { help: true };
    if (arg === '--explain') {
      explain = true;
    } else if (arg.startsWith('--keyword=')) {
      keywords.push(arg.slice('--keyword='.length));
    } else if (arg === '--keyword' || arg === '-k') {
      const value = args[++i];
      if (value === undefined) return { error: `${arg} needs a value` };
      keywords.push(value);
    } else {
      return { error: `unknown argument ${JSON.stringify(arg)}` };
    }
  }
  if (keywords.length === 0) return { error: 'at least one --keyword is required' };
  return { help: false, keywords, explain };
}

export async function run(args: string[], io: MatchIO = process): Promise<number> {
  const parsed = parseArgs(args);
  if ('error' in parsed) {
    io.stderr.write(`optline match: ${parsed.error}\n\n${HELP}`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(HELP);
    return 0;
  }
  let matcher: KeywordMatcher;
  try {
    matcher = compileKeywords(parsed.keywords);
  } catch (error) {
    if (!(error instanceof KeywordRuleError)) throw error;
    for (const v of error.violations) io.stderr.write(`optline match: ${v.message} (rule ${v.rule})\n`);
    return 2;
  }
  return matchLines(matcher, compilePossibleOptOuts(matcher.keywords), parsed.explain, io);
}

const NOT_POSSIBLE = '{"matched":false,"keyword":null,"possible":false}\n';
const POSSIBLE = '{"matched":false,"keyword":null,"possible":true}\n';
const FLUSH_AT = 64 * 1024;

async function matchLines(matcher: KeywordMatcher, detector: PossibleOptOutDetector, explain: boolean, io: MatchIO): Promise<number> {
  const answers = new Map(matcher.keywords.map((k) => [k, `{"matched":true,"keyword":${JSON.stringify(k)}}\n`]));
  let out = '';
  let closed = false;
  let failure: Error | undefined;
  // A reader that went away (`| head`) is not an error: stop reading and exit quietly.
  io.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') failure = error;
    closed = true;
  });
  const flush = async () => {
    if (out === '' || closed) return;
    const ok = io.stdout.write(out);
    out = '';
    if (!ok) await new Promise<void>((resolve) => io.stdout.once('drain', resolve));
  };
  const finish = async (code: number) => {
    await flush();
    if (failure) throw failure;
    return code;
  };

  let lineNumber = 0;
  const answer = (line: string): boolean => {
    lineNumber++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    let body: unknown;
    try {
      body = JSON.parse(line);
    } catch {
      body = undefined;
    }
    if (typeof body !== 'string') {
      const shown = line.length > 60 ? `${line.slice(0, 60)}...` : line;
      io.stderr.write(`optline match: line ${lineNumber} is not a JSON string: ${shown}\n`);
      return false;
    }
    const keyword = matcher.match(body);
    if (keyword !== null) {
      out += answers.get(keyword)!;
      return true;
    }
    const possible = detector.detect(body);
    if (!possible.possible) out += NOT_POSSIBLE;
    else if (!explain) out += POSSIBLE;
    else {
      const { reason, rule, language, evidence } = possible;
      out += JSON.stringify({ matched: false, keyword: null, possible: true, reason, rule, language, evidence }) + '\n';
    }
    return true;
  };

  // Lines are cut from each chunk as it arrives; only a line spanning chunks is joined, and
  // only the new chunk is searched for its end, so a huge line costs linear time.
  let rest = '';
  if ('setEncoding' in io.stdin) io.stdin.setEncoding('utf8');
  for await (const chunk of io.stdin) {
    const text = chunk as string;
    let end = text.indexOf('\n');
    if (end < 0) {
      rest += text;
      continue;
    }
    if (!answer(rest + text.slice(0, end))) return finish(2);
    let start = end + 1;
    for (end = text.indexOf('\n', start); end >= 0; end = text.indexOf('\n', start)) {
      if (!answer(text.slice(start, end))) return finish(2);
      start = end + 1;
    }
    rest = text.slice(start);
    if (out.length >= FLUSH_AT) await flush();
    if (closed) return finish(0);
  }
  // The last line may lack its newline.
  if (rest !== '' && !answer(rest)) return finish(2);
  return finish(0);
}
