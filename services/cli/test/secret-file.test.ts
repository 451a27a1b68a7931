import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeSecretFile } from '../src/secret-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'optline-secret-'));
afterEach(() => rmSync(join(dir, 'credentials.env'), { force: true }));

describe('the credentials file', () => {
  it('an existing world-readable file becomes 0600 before the secrets are written', () => {
    const path = join(dir, 'credentials.env');
    writeFileSync(path, 'OLD=1\n', { mode: 0o644 });
    expect(statSync(path).mode & 0o777).toBe(0o644);
    writeSecretFile(path, 'OPTLINE_API_TOKEN=secret\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe('OPTLINE_API_TOKEN=secret\n');
  });

  it('a new file is created 0600', () => {
    const path = join(dir, 'credentials.env');
    writeSecretFile(path, 'x\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
