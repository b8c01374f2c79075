/**
 * The dataset's file list: every regular file under the input folder, recursively, as sorted
 * '/'-separated relative paths. Names starting with '.' (.git, .DS_Store, editor files) are not
 * entered or listed; the output folder is left out when it sits inside the input folder.
 * Entries that are not plain files (sockets, FIFOs, broken links, linked folders, folders we may
 * not read) are returned as odd entries with a reason, for the report, never as an error.
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { displayPath, joinBytes } from '../path-bytes.ts';

export interface ScanEntry {
  /**
   * Relative to the input folder, '/'-separated, as shown by displayPath: names that are not
   * valid UTF-8 are escaped (pathFromDisplay gives the bytes back to open the file).
   */
  readonly path: string;
  /** Set when the entry is not a file we can process. */
  readonly odd?: string;
}

const SLASH = Buffer.from('/');

/**
 * `excludeDir` (the output folder) is left out wherever it sits inside the input folder; it may
 * not be the input folder itself (the caller refuses that).
 */
export async function scanFolder(inputDir: string, excludeDir?: string): Promise<ScanEntry[]> {
  const root = resolve(inputDir);
  const info = await stat(root).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`--in ${inputDir}: ${e.code === 'ENOENT' ? 'no such folder' : e.message}`);
  });
  if (!info.isDirectory()) throw new Error(`--in ${inputDir} is not a folder`);
  const exclude = excludeDir ? await realpath(excludeDir).catch(() => resolve(excludeDir)) : undefined;
  const out: ScanEntry[] = [];

  // Names are read as bytes: a name that is not valid UTF-8 stays openable and distinct.
  const walk = async (relDir: Buffer): Promise<void> => {
    const dir = relDir.length ? joinBytes(root, relDir) : root;
    let entries: Dirent<Buffer>[];
    try {
      entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (e) {
      out.push({ path: displayPath(relDir) + '/', odd: `folder not readable (${(e as Error).message})` });
      return;
    }
    for (const e of entries) {
      if (e.name[0] === 0x2e) continue; // '.'
      const rel = relDir.length ? Buffer.concat([relDir, SLASH, e.name]) : e.name;
      const full = joinBytes(root, rel);
      const path = displayPath(rel);
      if (e.isDirectory()) {
        if (exclude && (await realpath(full).catch(() => full.toString())) === exclude) continue;
        await walk(rel);
      } else if (e.isFile()) {
        out.push({ path });
      } else if (e.isSymbolicLink()) {
        const target = await stat(full).catch(() => undefined);
        if (!target) out.push({ path, odd: 'broken symbolic link' });
        else if (target.isFile()) out.push({ path });
        else out.push({ path, odd: 'symbolic link to a folder (not followed, to avoid cycles)' });
      } else {
        out.push({ path, odd: 'not a regular file (socket, FIFO or device)' });
      }
    }
  };
  await walk(Buffer.alloc(0));
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * A seed-stable random sample of n entries: each path gets a score from sha256(seed, path) and
 * the n lowest win. The same seed picks the same files whatever the listing order, and adding
 * files to the folder keeps earlier picks unless a new file outscores them. Sorted by path.
 */
export function sampleEntries<T extends { readonly path: string }>(
  entries: readonly T[],
  n: number,
  seed: number,
): T[] {
  if (n >= entries.length) return [...entries];
  const scored = entries.map((e) => ({
    e,
    score: createHash('sha256').update(`${seed}\0${e.path}`).digest().readBigUInt64BE(0),
  }));
  scored.sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : 0));
  return scored
    .slice(0, n)
    .map((s) => s.e)
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
