// TypeScript types of the Avro records in schemas/avro, generated from the schemas themselves,
// as avsc reads and writes them (longs as numbers, a union of records wrapped as
// `{ '<full name>': fields }`, null-unions as `T | null`). `npm run schemas:types` writes
// src/records.ts; a unit test fails when that file differs from what the schemas say.

import type { AvroSchema } from './index.ts';

type Named = { type: string; name: string; namespace?: string };

function fullName(s: Named, namespace: string | undefined): string {
  return s.name.includes('.') ? s.name : [s.namespace ?? namespace, s.name].filter(Boolean).join('.');
}

class Generator {
  readonly declarations = new Map<string, string>();

  constructor(private readonly root: string) {}

  typeOf(type: unknown, namespace: string | undefined): string {
    if (typeof type === 'string') {
      switch (type) {
        case 'null': return 'null';
        case 'boolean': return 'boolean';
        case 'int': case 'long': case 'float': case 'double': return 'number';
        case 'string': return 'string';
        case 'bytes': return 'Buffer';
        default: return this.reference(type, namespace);
      }
    }
    if (Array.isArray(type)) {
      const branches = type.filter((b) => b !== 'null');
      const records = branches.filter((b) => typeof b === 'object' && (b as Named).type === 'record');
      const nullable = branches.length < type.length ? ' | null' : '';
      if (records.length > 1) {
        // avsc wraps an ambiguous union: one key, the branch's full name.
        const wrapped = records.map((b) => `{ '${fullName(b as Named, namespace)}': ${this.typeOf(b, namespace)} }`);
        return `${wrapped.join(' | ')}${nullable}`;
      }
      return `${branches.map((b) => this.typeOf(b, namespace)).join(' | ')}${nullable}`;
    }
    const t = type as { type: string; items?: unknown; values?: unknown; symbols?: string[] } & Named;
    switch (t.type) {
      case 'array': return `Array<${this.typeOf(t.items, namespace)}>`;
      case 'map': return `Record<string, ${this.typeOf(t.values, namespace)}>`;
      case 'enum': return this.declare(t, namespace, `export type ${t.name} = ${t.symbols!.map((s) => `'${s}'`).join(' | ')};`);
      case 'record': return this.record(t as unknown as AvroSchema, namespace);
      default: return this.typeOf(t.type, namespace); // a primitive with a logical type
    }
  }

  record(schema: AvroSchema, namespace: string | undefined): string {
    const ns = schema.namespace ?? namespace;
    const fields = schema.fields.map((f) => `  /** ${(f.doc ?? '').replace(/\*\//g, '* /')} */\n  ${f.name}: ${this.typeOf(f.type, ns)};`);
    return this.declare(schema as unknown as Named, namespace, `/** ${(schema.doc ?? '').replace(/\*\//g, '* /')} */\nexport interface ${schema.name} {\n${fields.join('\n')}\n}`);
  }

  private reference(name: string, namespace: string | undefined): string {
    const short = name.split('.').at(-1)!;
    if (!this.declarations.has(short)) throw new Error(`${this.root}: type ${name} (namespace ${namespace}) is used before it is defined`);
    return short;
  }

  private declare(t: Named, namespace: string | undefined, text: string): string {
    // Record names are unique across schemas/avro; one shared by two files must be the same type.
    const previous = this.declarations.get(t.name);
    if (previous !== undefined && previous !== text) throw new Error(`${this.root}: ${fullName(t, namespace)} is defined twice, differently`);
    this.declarations.set(t.name, text);
    return t.name;
  }
}

/** The text of src/records.ts for the given schemas. */
export function recordTypes(schemas: Readonly<Record<string, AvroSchema>>): string {
  const declarations = new Map<string, string>();
  for (const name of Object.keys(schemas).sort()) {
    const g = new Generator(name);
    g.record(schemas[name]!, undefined);
    for (const [type, text] of g.declarations) {
      const previous = declarations.get(type);
      if (previous !== undefined && previous !== text) throw new Error(`schemas/avro: ${type} is defined differently in two schemas`);
      declarations.set(type, text);
    }
  }
  const header = '// Generated from schemas/avro by `npm run schemas:types` (schemas/src/typescript.ts): do not edit.\n/* eslint-disable */\n';
  return `${header}\n${[...declarations.values()].join('\n\n')}\n`;
}
