// @nxtedition/rocksdb ships no types; this is the part of its abstract-level API the store uses.
declare module '@nxtedition/rocksdb' {
  export interface OpenOptions {
    createIfMissing?: boolean;
    errorIfExists?: boolean;
    compression?: boolean;
    cacheSize?: number;
    infoLogLevel?: 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'header';
  }

  export interface IteratorOptions {
    gt?: string;
    gte?: string;
    lt?: string;
    lte?: string;
    reverse?: boolean;
    limit?: number;
  }

  export interface RocksIterator extends AsyncIterable<[string, Buffer]> {
    next(): Promise<[string, Buffer] | undefined>;
    close(): Promise<void>;
  }

  export type BatchOperation = { type: 'put'; key: string; value: Buffer | string } | { type: 'del'; key: string };

  export class RocksLevel {
    constructor(location: string, options: { keyEncoding: 'utf8'; valueEncoding: 'buffer' });
    readonly location: string;
    readonly status: 'opening' | 'open' | 'closing' | 'closed';
    open(options: OpenOptions): Promise<void>;
    close(): Promise<void>;
    getMany(keys: string[]): Promise<Array<Buffer | undefined>>;
    put(key: string, value: Buffer): Promise<void>;
    del(key: string): Promise<void>;
    batch(operations: BatchOperation[]): Promise<void>;
    clear(): Promise<void>;
    iterator(options: IteratorOptions): RocksIterator;
    getProperty(property: string): string;
  }
}
