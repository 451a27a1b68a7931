#!/usr/bin/env node
// Runs the TypeScript benches directly (tsx), like the optline CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/index.ts');
