// The `rocksdb` package ships no types; this is the part of its abstract-leveldown API the
// store uses.
declare module 'rocksdb' {
  export type Callback<T = void> = (error: Error | undefined | null, value: T) => void;

  export interface OpenOptions {
    createIfMissing?: boolean;
    errorIfExists?: boolean;
    compression?: boolean;
    cacheSize?: number;
    writeBufferSize?: number;
    maxOpenFiles?: number;
    infoLogLevel?: 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'header' | null;
  }

  export interface IteratorOptions {
    gt?: string | Buffer;
    gte?: string | Buffer;
    lt?: string | Buffer;
    lte?: string | Buffer;
    reverse?: boolean;
    limit?: number;
    keyAsBuffer?: boolean;
    valueAsBuffer?: boolean;
  }

  export interface RocksIterator {
    next(callback: (error: Error | undefined | null, key?: string | Buffer, value?: Buffer) => void): void;
    end(callback: (error?: Error | null) => void): void;
  }

  export type BatchOperation = { type: 'put'; key: string | Buffer; value: Buffer | string } | { type: 'del'; key: string | Buffer };

  export interface RocksDB {
    readonly location: string;
    open(options: OpenOptions, callback: (error?: Error | null) => void): void;
    close(callback: (error?: Error | null) => void): void;
    get(key: string | Buffer, options: { asBuffer?: boolean; fillCache?: boolean }, callback: Callback<Buffer>): void;
    getMany(keys: Array<string | Buffer>, options: { asBuffer?: boolean }, callback: Callback<Array<Buffer | undefined>>): void;
    put(key: string | Buffer, value: Buffer | string, options: { sync?: boolean }, callback: (error?: Error | null) => void): void;
    del(key: string | Buffer, options: { sync?: boolean }, callback: (error?: Error | null) => void): void;
    batch(operations: BatchOperation[], options: { sync?: boolean }, callback: (error?: Error | null) => void): void;
    clear(options: IteratorOptions, callback: (error?: Error | null) => void): void;
    iterator(options: IteratorOptions): RocksIterator;
    approximateSize(start: string | Buffer, end: string | Buffer, callback: Callback<number>): void;
    compactRange(start: string | Buffer, end: string | Buffer, callback: (error?: Error | null) => void): void;
    getProperty(property: string): string;
  }

  export interface RocksDBConstructor {
    (location: string): RocksDB;
    destroy(location: string, callback: (error?: Error | null) => void): void;
  }

  const rocksdb: RocksDBConstructor;
  export default rocksdb;
}
