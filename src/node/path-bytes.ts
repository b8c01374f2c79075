/**
 * File names are bytes on Linux and need not be valid UTF-8 (old cameras, archives from other
 * systems). Node reads such a name losslessly only as a Buffer; decoded to a string, every bad
 * byte becomes U+FFFD, so the file can no longer be opened and two names can become one. We keep
 * the bytes for opening and show an escaped string, unique per name:
 * a name that is valid UTF-8 without a backslash is shown as is; any other name has each
 * backslash doubled and each byte that is not part of valid UTF-8 written as \xNN. (An escaped
 * name always holds a backslash and a plain one never does, so no two names show alike.)
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The escaped display form of a path or name given as bytes (or as a string, returned as is unless it holds a backslash). */
export function displayPath(path: string | Uint8Array): string {
  if (typeof path === 'string') return path.includes('\\') ? path.replaceAll('\\', '\\\\') : path;
  try {
    return displayPath(utf8.decode(path));
  } catch {
    return escapeBytes(path);
  }
}

function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length;) {
    const n = validSequenceLength(bytes, i);
    if (n === 0) {
      out += `\\x${bytes[i].toString(16).padStart(2, '0')}`;
      i++;
    } else {
      const s = utf8.decode(bytes.subarray(i, i + n));
      out += s === '\\' ? '\\\\' : s;
      i += n;
    }
  }
  return out;
}

/** Length of the valid UTF-8 sequence starting at i, or 0 when the byte there starts none. */
function validSequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n === 0 || i + n > b.length) return 0;
  try {
    utf8.decode(b.subarray(i, i + n));
    return n;
  } catch {
    return 0;
  }
}

/**
 * A path typed on the command line. Node decodes argv as UTF-8, turning each byte of a name that
 * is not valid UTF-8 into U+FFFD, so such a file cannot be opened by the string. When the path
 * holds U+FFFD, the folder is listed as bytes and the one entry whose decoded name matches is
 * returned as a Buffer path; several matches are refused, naming them escaped.
 */
export async function resolveArgvPath(path: string): Promise<string | Buffer> {
  if (!path.includes('\uFFFD')) return path;
  const dir = dirname(path);
  const name = basename(path);
  if (dir.includes('\uFFFD')) return path; // only the last name is looked up
  let entries: Buffer[];
  try {
    entries = await readdir(dir, { encoding: 'buffer' });
  } catch {
    return path;
  }
  const lossy = new TextDecoder('utf-8');
  const matches = entries.filter((e) => lossy.decode(e) === name);
  if (matches.length === 0) return path;
  if (matches.length > 1) {
    throw new Error(
      `${path}: ${matches.length} files in ${dir} have this name once decoded ` +
        `(${matches.map((m) => displayPath(m)).join(', ')}); rename them`,
    );
  }
  return joinBytes(dir, matches[0]);
}

/** `base` (a folder path) joined with a relative path given as bytes. */
export function joinBytes(base: string, relative: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(join(base, '/')), relative]);
}

/** The bytes of a path shown by displayPath (its exact inverse). */
export function pathFromDisplay(shown: string): Buffer {
  if (!shown.includes('\\')) return Buffer.from(shown);
  const parts: Buffer[] = [];
  let plain = '';
  const flush = () => {
    if (plain) parts.push(Buffer.from(plain));
    plain = '';
  };
  for (let i = 0; i < shown.length; i++) {
    if (shown[i] !== '\\') {
      plain += shown[i];
    } else if (shown[i + 1] === '\\') {
      plain += '\\';
      i++;
    } else if (shown[i + 1] === 'x' && /^[0-9a-f]{2}$/.test(shown.slice(i + 2, i + 4))) {
      flush();
      parts.push(Buffer.from([parseInt(shown.slice(i + 2, i + 4), 16)]));
      i += 3;
    } else {
      throw new Error(`${shown}: a lone backslash; not a path written by displayPath`);
    }
  }
  flush();
  return Buffer.concat(parts);
}
