import { describe, expect, it } from 'vitest';
import { avroType, schemas } from '@optline/schemas';
import { SAMPLES } from './samples.ts';

// kafka.it round-trips every sample through the registry; this unit test fails first (and in
// land checks that run no broker) when a schema is added without a sample, or a sample no
// longer fits its schema.
describe('Avro samples', () => {
  it('has a sample for every schema', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(schemas).sort());
  });

  it.each(Object.keys(SAMPLES))('%s sample is valid for its schema', (name) => {
    expect(avroType(name).isValid(SAMPLES[name])).toBe(true);
  });
});
