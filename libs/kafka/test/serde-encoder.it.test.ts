import { describe, expect, it, vi } from 'vitest';
import { testConfig, uniqueName } from '@optline/test';
import { AvroSerde, Codec, topics, UndecodableError } from '../src/index.ts';
import { SAMPLES } from './samples.ts';

describe('AvroSerde fast paths', () => {
  it('encoderFor writes the same bytes as encode, and they decode back', async () => {
    const config = testConfig();
    const named = topics(uniqueName('it-serde'));
    const serde = new AvroSerde(config.schemaRegistryUrl, named);
    const encode = await serde.encoderFor(named.consent.name);
    const bytes = encode(SAMPLES.ConsentEvent);
    expect(bytes.equals(await serde.encode(named.consent.name, SAMPLES.ConsentEvent))).toBe(true);
    expect(await new Codec(serde).decode('ConsentEvent', bytes)).toEqual(SAMPLES.ConsentEvent);
  });

  it("the codec's decodeKnown reads without a promise once decode has resolved the registered writer schema", async () => {
    const config = testConfig();
    const named = topics(uniqueName('it-serde'));
    const serde = new AvroSerde(config.schemaRegistryUrl, named);
    const bytes = await serde.encode(named.blacklist.name, SAMPLES.BlacklistEntry);
    const fresh = new Codec(new AvroSerde(config.schemaRegistryUrl, named));
    expect(fresh.decodeKnown('BlacklistEntry', bytes)).toBeUndefined();
    expect(await fresh.decodeFrom(named.blacklist.name, bytes)).toEqual(SAMPLES.BlacklistEntry);
    expect(fresh.decodeKnown('BlacklistEntry', bytes)).toEqual(SAMPLES.BlacklistEntry);
    expect(() => fresh.decodeKnown('BlacklistEntry', Buffer.from('not avro'))).toThrow(UndecodableError);
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
