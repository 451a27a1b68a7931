// How the core's value types derive from the record types generated from schemas/avro
// (@optline/schemas/records): by mapping them, never by writing their fields out again.

/** A record type whose fields with an Avro default may be left out (the default applies). */
export type Defaulted<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/** A record type read-only all the way down: for values the core hands out frozen. */
export type Frozen<T> = T extends ReadonlyArray<infer E>
  ? ReadonlyArray<Frozen<E>>
  : T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;
