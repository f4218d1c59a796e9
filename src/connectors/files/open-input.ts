import { createReadStream, existsSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ConfigError } from '../../core/errors.js';

/** Opens a file (gunzipping `.gz`) or `-` for stdin as a byte stream, with its size when known. */
export function openInput(path: string): { stream: Readable; size: number | undefined; label: string } {
  if (path === '-') return { stream: process.stdin, size: undefined, label: 'stdin' };
  if (!existsSync(path)) throw new ConfigError(`input file ${path} does not exist`);
  const stats = statSync(path);
  if (!stats.isFile()) throw new ConfigError(`input ${path} is not a file`);
  const file = createReadStream(path, { highWaterMark: 1024 * 1024 });
  const stream = path.endsWith('.gz') ? file.pipe(createGunzip({ chunkSize: 1024 * 1024 })) : file;
  if (stream !== file) file.on('error', (error) => stream.destroy(error));
  return { stream, size: stats.size, label: path };
}
