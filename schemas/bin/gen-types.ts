// Writes schemas/src/records.ts from schemas/avro.
import { writeFileSync } from 'node:fs';
import { schemas } from '../src/index.ts';
import { recordTypes } from '../src/typescript.ts';

writeFileSync(new URL('../src/records.ts', import.meta.url), recordTypes(schemas));
