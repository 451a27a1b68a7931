#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npx optline` works right after `npm ci`
// with no build step and never runs stale compiled code.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
