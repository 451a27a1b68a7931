// The blacklist client's table: per project a hash table of phones, each with its record's
// place in the details file and its status byte.

import type { TailSink } from '@optline/kafka';
import { DetailFile } from './detail-file.ts';
import { PhoneTable, phoneNumberOf } from './phone-table.ts';

/** A record as the table keeps it: its status byte, and its bytes for the details file. */
export interface Decoded {
  code: number;
  raw: Buffer;
}

/**
 * The entries in memory: per project a hash table of phones (13 bytes a slot), each with a
 * reference into the details file and its status byte. Keys that are not `<project>:<canonical
 * phone>` (none are written by optline) keep their details reference in a plain Map.
 */
export class CompactEntries implements TailSink<Decoded> {
  readonly projects = new Map<string, PhoneTable>();
  readonly odd = new Map<string, { ref: number; code: number }>();
  details: DetailFile | undefined;
  private count = 0;

  constructor(private readonly dir?: string) {}

  reset(): void {
    this.close();
    this.details = new DetailFile(this.dir);
  }

  close(): void {
    this.details?.close();
    this.details = undefined;
    this.projects.clear();
    this.odd.clear();
    this.count = 0;
  }

  get size(): number {
    return this.count;
  }

  set(key: string, value: Decoded): void {
    if (this.details === undefined) throw new Error('blacklist client: a record arrived while stopped');
    const ref = this.details.append(value.raw);
    const colon = key.lastIndexOf(':');
    const phone = colon < 0 ? -1 : phoneNumberOf(key.slice(colon + 1));
    if (phone < 0) {
      if (!this.odd.has(key)) this.count++;
      this.odd.set(key, { ref, code: value.code });
      return;
    }
    const project = key.slice(0, colon);
    let table = this.projects.get(project);
    if (table === undefined) this.projects.set(project, (table = new PhoneTable()));
    const before = table.size;
    table.set(phone, ref, value.code);
    this.count += table.size - before;
  }

  delete(key: string): void {
    const colon = key.lastIndexOf(':');
    const phone = colon < 0 ? -1 : phoneNumberOf(key.slice(colon + 1));
    if (phone < 0) {
      if (this.odd.delete(key)) this.count--;
      return;
    }
    const project = key.slice(0, colon);
    const table = this.projects.get(project);
    if (table?.delete(phone)) {
      this.count--;
      if (table.size === 0) this.projects.delete(project);
    }
  }

  /** The details reference and status byte of (project, phone), or undefined. */
  lookup(project: string, phone: string): { ref: number; code: number } | undefined {
    const value = phoneNumberOf(phone);
    if (value < 0) return this.odd.get(`${project}:${phone}`);
    const table = this.projects.get(project);
    if (table === undefined) return undefined;
    const ref = table.ref(value);
    return ref < 0 ? undefined : { ref, code: table.code(value) };
  }

  has(project: string, phone: string): boolean {
    const value = phoneNumberOf(phone);
    if (value < 0) return this.odd.has(`${project}:${phone}`);
    return this.projects.get(project)?.has(value) ?? false;
  }

  get bytes(): number {
    let total = 0;
    for (const table of this.projects.values()) total += table.bytes;
    return total;
  }
}

