import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schemas } from '../src/index.ts';
import { recordTypes } from '../src/typescript.ts';

describe('generated record types', () => {
  it('src/records.ts is what schemas/avro says (run `npm run schemas:types` after changing a schema)', () => {
    expect(readFileSync(new URL('../src/records.ts', import.meta.url), 'utf8')).toBe(recordTypes(schemas));
  });

  it('maps Avro to TypeScript as avsc reads it', () => {
    const text = recordTypes({
      T: {
        type: 'record', name: 'T', namespace: 'x', doc: 'd',
        fields: [
          { name: 'a', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], doc: 'a' },
          { name: 'b', type: { type: 'map', values: 'string' }, doc: 'b' },
          { name: 'c', type: { type: 'enum', name: 'E', symbols: ['X', 'Y'] }, doc: 'c' },
          { name: 'd', type: [{ type: 'record', name: 'R1', fields: [] }, { type: 'record', name: 'R2', fields: [] }], doc: 'd' },
        ],
      },
    });
    expect(text).toContain('a: number | null;');
    expect(text).toContain('b: Record<string, string>;');
    expect(text).toContain("export type E = 'X' | 'Y';");
    expect(text).toContain("d: { 'x.R1': R1 } | { 'x.R2': R2 };");
  });
});
