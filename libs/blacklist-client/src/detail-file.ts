// The details half of the blacklist client: each entry's record bytes, as read from the topic,
// appended to a file of the client's own, so memory holds only a 4-byte reference per entry.
// The file is unlinked as soon as it is open: it lives as long as the descriptor, so a crashed
// process leaves nothing behind, and each start rebuilds it from the compacted topic. Records
// are aligned to UNIT bytes so that a uint32 reference reaches 64 GiB. Superseded records stay
// in the file until the next start (a restart compacts it); the figures say how much.

import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const UNIT = 16;
const LENGTH_BYTES = 4;
const BUFFER_BYTES = 1 << 20;
const CHUNK_BYTES = 1 << 20;

export class DetailFile {
  private fd: number;
  /** Bytes appended but not yet written, from file position `flushed`. */
  private pending = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  private flushed = 0;
  private readBuffer = Buffer.allocUnsafe(4096);
  /** Bytes of records appended since open (live and superseded). */
  appended = 0;

  constructor(dir: string = tmpdir()) {
    const own = mkdtempSync(join(dir, 'optline-blacklist-'));
    const path = join(own, 'details');
    this.fd = openSync(path, 'w+');
    unlinkSync(path);
    rmSync(own, { recursive: true, force: true });
  }

  /** Appends a record; returns its reference. */
  append(bytes: Uint8Array): number {
    const size = Math.ceil((LENGTH_BYTES + bytes.length) / UNIT) * UNIT;
    const position = this.flushed + this.used;
    const ref = position / UNIT;
    if (ref > 0xffffffff) throw new Error('blacklist client: detail file above 64 GiB; restart the client to compact it');
    if (this.used + size > this.pending.length) {
      this.flush();
      if (size > this.pending.length) this.pending = Buffer.allocUnsafe(size);
    }
    this.pending.writeUInt32LE(bytes.length, this.used);
    this.pending.set(bytes, this.used + LENGTH_BYTES);
    this.used += size;
    this.appended += size;
    return ref;
  }

  /** The record of a reference; the buffer is reused by the next read. */
  read(ref: number): Buffer {
    const position = ref * UNIT;
    if (position >= this.flushed) {
      const at = position - this.flushed;
      const length = this.pending.readUInt32LE(at);
      return this.pending.subarray(at + LENGTH_BYTES, at + LENGTH_BYTES + length);
    }
    let got = readSync(this.fd, this.readBuffer, 0, this.readBuffer.length, position);
    const length = this.readBuffer.readUInt32LE(0);
    if (LENGTH_BYTES + length > got) {
      if (LENGTH_BYTES + length > this.readBuffer.length) this.readBuffer = Buffer.allocUnsafe(LENGTH_BYTES + length);
      got = readSync(this.fd, this.readBuffer, 0, LENGTH_BYTES + length, position);
    }
    return this.readBuffer.subarray(LENGTH_BYTES, LENGTH_BYTES + length);
  }

  /**
   * The records of many references, for a scan: ascending references are read in chunks of
   * CHUNK_BYTES instead of a read per record. Each buffer is valid until the next is yielded.
   */
  *readMany(refs: Iterable<number>): Generator<Buffer> {
    let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let chunkStart = 0;
    let chunkEnd = 0;
    for (const ref of refs) {
      const position = ref * UNIT;
      if (position >= this.flushed || this.fd < 0) {
        yield this.read(ref);
        continue;
      }
      if (position < chunkStart || position + LENGTH_BYTES > chunkEnd) {
        chunkStart = position;
        chunkEnd = position + readSync(this.fd, chunk, 0, chunk.length, position);
      }
      const at = position - chunkStart;
      const length = chunk.readUInt32LE(at);
      if (position + LENGTH_BYTES + length > chunkEnd) {
        if (LENGTH_BYTES + length > chunk.length) {
          yield this.read(ref);
          continue;
        }
        chunkStart = position;
        chunkEnd = position + readSync(this.fd, chunk, 0, chunk.length, position);
        yield chunk.subarray(LENGTH_BYTES, LENGTH_BYTES + length);
        continue;
      }
      yield chunk.subarray(at + LENGTH_BYTES, at + LENGTH_BYTES + length);
    }
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }

  private flush(): void {
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.pending, off, this.used - off, this.flushed + off);
    this.flushed += this.used;
    this.used = 0;
  }
}
