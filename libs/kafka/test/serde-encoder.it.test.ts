import { describe, expect, it, vi } from 'vitest';
import { testConfig, uniqueName } from '@optline/test';
import { AvroSerde, topics } from '../src/index.ts';
import { SAMPLES } from './samples.ts';

describe('AvroSerde fast paths', () => {
  it('encoderFor writes the same bytes as encode, and they decode back', async () => {
    const config = testConfig();
    const named = topics(uniqueName('it-serde'));
    const serde = new AvroSerde(config.schemaRegistryUrl, named);
    const encode = await serde.encoderFor(named.consent.name);
    const bytes = encode(SAMPLES.ConsentEvent);
    expect(bytes.equals(await serde.encode(named.consent.name, SAMPLES.ConsentEvent))).toBe(true);
    expect(await serde.decode(bytes)).toEqual(SAMPLES.ConsentEvent);
  });

  it('registers a topic schema once when many first encodes run at once', async () => {
    const config = testConfig();
    const named = topics(uniqueName('it-serde'));
    const serde = new AvroSerde(config.schemaRegistryUrl, named);
    const calls = vi.spyOn(globalThis, 'fetch');
    try {
      await Promise.all(Array.from({ length: 200 }, () => serde.encode(named.blacklist.name, SAMPLES.BlacklistEntry)));
      const registrations = calls.mock.calls.filter(([url]) => String(url).includes('/versions'));
      expect(registrations).toHaveLength(1);
    } finally {
      calls.mockRestore();
    }
  });
});
