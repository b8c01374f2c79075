/**
 * results.jsonl, read and appended. Each processed file adds one line, written in one call after
 * its outputs (reconstruction, tokens) are on disk, so a line is the commit point of an image.
 * A run killed mid-write leaves at most a partial last line; reopening cuts it off.
 */
import { createReadStream } from 'node:fs';
import { appendFile, open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { type FileRecord, parseRecord } from './records.ts';

/** Streams the records of a log, in order, without holding the file in memory. */
export async function* readRecords(path: string): AsyncGenerator<FileRecord> {
  const exists = await stat(path).catch(() => undefined);
  if (!exists) return;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    yield parseRecord(line, `${path} line ${n}`);
  }
}

/**
 * Cuts a partial last line (no trailing newline: the run stopped while writing it) so the next
 * append starts a fresh line. Returns the bytes removed.
 */
export async function repairLog(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info || info.size === 0) return 0;
  const fh = await open(path, 'r+');
  try {
    // Scan back from the end for the last newline, a chunk at a time.
    const chunk = 65536;
    let end = info.size;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, end - 1);
    if (last[0] === 0x0a) return 0;
    while (end > 0) {
      const from = Math.max(0, end - chunk);
      const buf = Buffer.alloc(end - from);
      await fh.read(buf, 0, buf.length, from);
      const nl = buf.lastIndexOf(0x0a);
      if (nl >= 0) {
        await fh.truncate(from + nl + 1);
        return info.size - (from + nl + 1);
      }
      end = from;
    }
    await fh.truncate(0);
    return info.size;
  } finally {
    await fh.close();
  }
}

export async function appendRecord(path: string, record: FileRecord): Promise<void> {
  await appendFile(path, JSON.stringify(record) + '\n');
}
