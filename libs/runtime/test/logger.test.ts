import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { logFormat, prettyStream } from '../src/logger.ts';

describe('logFormat', () => {
  it('is readable on a terminal and JSON elsewhere, unless OPTLINE_LOG_FORMAT says', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ OPTLINE_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ OPTLINE_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(() => logFormat({ OPTLINE_LOG_FORMAT: 'xml' }, true)).toThrow(/OPTLINE_LOG_FORMAT must be "json" or "pretty", not "xml"/);
  });
});

describe('prettyStream', () => {
  it('writes one line per entry: time, level, the service of a child logger, message, fields', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const logger = pino({ name: 'optline', base: { service: 'optline' } }, prettyStream(out, false));
    logger.child({ service: 'matcher' }).info({ tasks: ['phones-0'] }, 'tasks assigned');
    logger.warn('second');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: matcher: tasks assigned \{"tasks":\["phones-0"\]\}$/);
    expect(lines[1]).toMatch(/ WARN: optline: second$/);
  });
});
