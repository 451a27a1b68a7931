import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';

/**
 * Writes a file only its owner can read. writeFileSync's `mode` applies only when it creates the
 * file, so an existing 0644 file kept its mode and the secrets stayed world-readable: the mode
 * is set on the open file before the secrets go in.
 */
export function writeSecretFile(path: string, content: string): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}
