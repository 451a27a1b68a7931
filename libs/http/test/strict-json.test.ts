import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { createHttpServer, firstInvalidUtf8, jsonBody, jsonErrors, parseStrictJson, type ErrorBody } from '../src/index.ts';

const problem = (raw: string | Buffer) => {
  const r = parseStrictJson(typeof raw === 'string' ? Buffer.from(raw) : raw);
  return r.ok ? null : [r.problem.field, r.problem.rule];
};
const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('strict JSON', () => {
  it('refuses bytes that are not UTF-8, naming the field that holds them', () => {
    expect(problem(bytes('{"id":"a', [0xff], 'b","body":"x"}'))).toEqual(['id', 'utf8']);
    expect(problem(bytes('{"id":"ab","body":"x', [0xc3], '"}'))).toEqual(['body', 'utf8']);
    expect(problem(bytes('{"a":{"list":["ok","', [0xed, 0xa0, 0x80], '"]}}'))).toEqual(['a.list.1', 'utf8']); // an encoded surrogate
    expect(problem(bytes('{"k', [0xe9], 'y":1}'))).toEqual(['k\u00e9y', 'utf8']);
    expect(problem(bytes('{"id":"a"}', [0x80]))).toEqual(['body', 'utf8']);
    const r = parseStrictJson(bytes('{"id":"a', [0xff], '"}'));
    expect(r.ok ? '' : r.problem.message).toBe('id is not valid UTF-8 (byte 8 of the body, 0xff)');
  });

  it('finds the first byte that is not UTF-8 as a strict decoder does', () => {
    const cases: [number[], number][] = [
      [[0x41, 0xc3, 0xa9], -1], [[0xc0, 0x80], 0], [[0xe0, 0x80, 0x80], 0], [[0xf0, 0x8f, 0xbf, 0xbf], 0],
      [[0xf4, 0x90, 0x80, 0x80], 0], [[0xed, 0xa0, 0x80], 0], [[0x41, 0xe2, 0x82], 1], [[0xf0, 0x9f, 0x98, 0x80, 0xff], 4],
    ];
    for (const [input, at] of cases) expect(firstInvalidUtf8(Buffer.from(input)), input.join(',')).toBe(at);
  });

  it('refuses a key twice in one object, at any depth, naming it', () => {
    expect(problem('{"body":"hello","body":"STOP"}')).toEqual(['body', 'duplicate_key']);
    expect(problem('{"a":[{"x":1},{"x":2,"y":{"z":1,"z":2}}]}')).toEqual(['a.1.y.z', 'duplicate_key']);
    expect(problem('{"b\\u006fdy":"hello","body":"STOP"}')).toEqual(['body', 'duplicate_key']); // the same key, escaped
    expect(problem('{"a":{"x":1},"b":{"x":1}}')).toBeNull();
    expect(problem('[{"x":1},{"x":1}]')).toBeNull();
  });

  it('refuses __proto__, constructor and prototype keys', () => {
    expect(problem('{"__proto__":{"admin":true}}')).toEqual(['__proto__', 'reserved_key']);
    expect(problem('{"a":{"constructor":{"prototype":1}}}')).toEqual(['a.constructor', 'reserved_key']);
    expect(problem('{"x":"__proto__"}')).toBeNull(); // as a value it is only text
  });

  it('refuses a lone surrogate escape (UTF-8 cannot carry it), keeps a pair', () => {
    expect(problem('{"id":"a\\ud800b"}')).toEqual(['id', 'unpaired_surrogate']);
    expect(problem('{"id":"a\\udc00"}')).toEqual(['id', 'unpaired_surrogate']);
    const pair = parseStrictJson(Buffer.from('{"body":"\\ud83d\\ude00 \\\\ud800"}'));
    expect(pair).toEqual({ ok: true, value: { body: '\u{1F600} \\ud800' } });
  });

  it('parses what it accepts as JSON.parse does, quotes and escapes included', () => {
    const text = '{"a":"x\\"y\\\\","b\\"":[1,{"c":"}"}],"d":null}';
    expect(parseStrictJson(Buffer.from(text))).toEqual({ ok: true, value: JSON.parse(text) });
    expect(problem('{"a":')).toEqual(['body', 'json']);
  });
});

let app: FastifyInstance;
afterEach(async () => {
  await app?.close();
});

async function server(): Promise<FastifyInstance> {
  app = createHttpServer({ logger: pino({ level: 'silent' }) });
  await app.register(jsonErrors);
  await app.register(async (scope) => {
    await scope.register(jsonBody);
    scope.post('/things', async (request) => request.body);
    const project = { type: 'object', properties: { project: { type: 'string', maxLength: 128 } } } as const;
    scope.get('/v1/projects/:project/things', { schema: { params: project } }, async (request) => request.params);
  });
  return app;
}
const error = (body: string) => (JSON.parse(body) as ErrorBody).error;

describe('strict JSON bodies and URLs on the server', () => {
  it('answers 400 invalid_json naming the field for a duplicate key, a reserved key, bytes that are not UTF-8', async () => {
    await server();
    const cases: [string | Buffer, string, string][] = [
      ['{"body":"hello","body":"STOP"}', 'body', 'duplicate_key'],
      ['{"__proto__":{}}', '__proto__', 'reserved_key'],
      [bytes('{"id":"', [0xfe], '"}'), 'id', 'utf8'],
    ];
    for (const [payload, field, rule] of cases) {
      const res = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload });
      expect(res.statusCode).toBe(400);
      expect(error(res.body)).toMatchObject({ code: 'invalid_json', fields: [{ field, rule }] });
    }
  });

  it('answers 415 for a JSON body in another charset than UTF-8', async () => {
    await server();
    const res = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json; charset=iso-8859-1' }, payload: '{}' });
    expect(res.statusCode).toBe(415);
    expect(error(res.body).fields).toEqual([expect.objectContaining({ field: 'headers.content-type', rule: 'charset' })]);
    const utf8 = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json; charset="UTF-8"' }, payload: '{"a":1}' });
    expect(utf8.json()).toEqual({ a: 1 });
  });

  it('path parameters up to the schema limit (128) reach the route; longer ones are the schema\'s 400', async () => {
    await server();
    const long = 'p'.repeat(128);
    const ok = await app.inject({ method: 'GET', url: `/v1/projects/${long}/things` });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ project: long });
    const tooLong = await app.inject({ method: 'GET', url: `/v1/projects/${long}x/things` });
    expect(tooLong.statusCode).toBe(400);
    expect(error(tooLong.body).fields).toEqual([expect.objectContaining({ field: 'params.project', rule: 'maxLength' })]);
  });

  it('a malformed percent-encoding is 400 in the JSON error shape', async () => {
    await server();
    const res = await app.inject({ method: 'GET', url: '/v1/projects/%E0%A4%A/things' });
    expect(res.statusCode).toBe(400);
    expect(error(res.body)).toMatchObject({ code: 'bad_url', fields: [{ field: 'url', rule: 'percent_encoding' }] });
  });
});
