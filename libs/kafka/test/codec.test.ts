import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { framedEncoder, type AvroSerde } from '../src/serde.ts';
import { avroType, schema } from '@optline/schemas';
import { Codec, UndecodableError } from '../src/codec.ts';

const framed = (id: number, payload: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0, id]), payload]);
const profile = { project: 'p', customer_id: 'c', phone: '00421905123456', updated_at: 5, deleted: false };

// A later version of CustomerProfile with one more optional field, as another producer may write.
const base = schema('CustomerProfile');
const newer = avro.Type.forSchema({ ...base, fields: [...base.fields, { name: 'email', type: ['null', 'string'], default: null, doc: 'x' }] } as avro.Schema);

/** A registry that knows schema 1 (CustomerProfile), 2 (the newer version) and is down for 9. */
function codec(): Codec {
  const registry = {
    async getSchema(id: number) {
      if (id === 1) return avroType('CustomerProfile');
      if (id === 2) return newer;
      if (id === 9) throw Object.assign(new Error('registry down'), { status: 503 });
      throw Object.assign(new Error('Schema not found'), { status: 404 });
    },
  };
  return new Codec({ registry } as unknown as AvroSerde);
}

describe('Codec.decode', () => {
  it('reads a value written with the same schema', async () => {
    expect(await codec().decode('CustomerProfile', framed(1, avroType('CustomerProfile').toBuffer(profile)))).toMatchObject(profile);
  });

  it('reads a value written with a newer compatible schema as the record the code knows', async () => {
    const read = await codec().decode<Record<string, unknown>>('CustomerProfile', framed(2, newer.toBuffer({ ...profile, email: 'a@b.c' })));
    expect(read).toMatchObject(profile);
    expect(read.email).toBeUndefined();
  });

  it('calls bytes that can never be read undecodable, naming why', async () => {
    const c = codec();
    await expect(c.decode('CustomerProfile', null)).rejects.toThrow(UndecodableError);
    await expect(c.decode('CustomerProfile', Buffer.from('plain text'))).rejects.toThrow(/Confluent wire format/);
    await expect(c.decode('CustomerProfile', framed(7, Buffer.from([1])))).rejects.toThrow(/schema id 7 is unknown/);
    await expect(c.decode('CustomerProfile', framed(1, Buffer.from([0xff])))).rejects.toThrow(/not a valid CustomerProfile/);
    await expect(c.decode('InboundSms', framed(1, avroType('CustomerProfile').toBuffer(profile)))).rejects.toThrow(UndecodableError);
  });

  it('lets a registry outage fail the batch instead of dead-lettering good records', async () => {
    const error = await codec().decode('CustomerProfile', framed(9, Buffer.from([0]))).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(UndecodableError);
    expect((error as Error).message).toBe('registry down');
  });
});

describe('Codec.projection', () => {
  it('reads only the named fields, from any compatible writer, synchronously once the writer is known', async () => {
    const c = codec();
    const name = c.projection('CustomerProfile', ['customer_id', 'deleted']);
    const bytes = framed(2, newer.toBuffer({ ...profile, email: 'a@b.c' }));
    expect(c.decodeKnown(name, bytes)).toBeUndefined();
    expect(await c.decode(name, bytes)).toEqual({ customer_id: 'c', deleted: false });
    expect(c.decodeKnown(name, bytes)).toEqual({ customer_id: 'c', deleted: false });
    expect(c.decodeSoon(name, bytes)).toEqual({ customer_id: 'c', deleted: false });
    // The full record's reader is another one: not resolved by the projection's read.
    expect(c.decodeKnown('CustomerProfile', bytes)).toBeUndefined();
  });

  it('refuses a field the record does not have', () => {
    expect(() => codec().projection('CustomerProfile', ['customer_id', 'email'])).toThrow(/CustomerProfile has no field email/);
  });
});

describe('Codec.decodeFrom', () => {
  it("reads a value as its topic's record", async () => {
    const registry = { getSchema: async () => avroType('CustomerProfile') };
    const serde = { registry, recordOf: (topic: string) => (topic === 'customers.v1' ? 'CustomerProfile' : 'InboundSms') };
    const c = new Codec(serde as unknown as AvroSerde);
    expect(await c.decodeFrom('customers.v1', framed(1, avroType('CustomerProfile').toBuffer(profile)))).toEqual(profile);
    await expect(c.decodeFrom('sms.inbound.v1', framed(1, avroType('CustomerProfile').toBuffer(profile)))).rejects.toThrow(UndecodableError);
  });
});

describe('Codec.encode', () => {
  function encoding(): Codec {
    const encoder = framedEncoder(1, avroType('CustomerProfile'));
    const serde = { encoderFor: async () => encoder };
    return new Codec(serde as unknown as AvroSerde);
  }

  it('frames values as the registry serde does, also values larger than its scratch buffer, one after another', async () => {
    const c = encoding();
    const values = [profile, { ...profile, customer_id: 'x'.repeat(200_000) }, { ...profile, customer_id: 'é' }, profile];
    for (const v of values) expect(await c.encode('customers', v)).toEqual(framed(1, avroType('CustomerProfile').toBuffer(v)));
    const kept = await c.encode('customers', profile);
    await c.encode('customers', { ...profile, customer_id: 'overwrites the scratch' });
    expect(kept).toEqual(framed(1, avroType('CustomerProfile').toBuffer(profile)));
  });
});
