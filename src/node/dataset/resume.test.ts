/**
 * Resuming: a run cut short (--limit, an abort, a crash mid-write) followed by a plain rerun
 * processes exactly the files not yet done, and tokens.bin stays in step with results.jsonl.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetWorkspace } from '../../test-support/dataset-workspace.ts';
import { type FileRecord, isProcessed } from './records.ts';
import { readRecords } from './results-log.ts';
import { runDataset, type DatasetRunOptions } from './run-dataset.ts';
import { crop, fixtureSource, pngRgb } from '../../test-support/dataset-inputs.ts';
import { TokenFileReader } from './token-file.ts';

const FILES = ['a.png', 'b.png', 'c.png', 'd/e.png', 'd/f.png', 'g.png', 'readme.txt'];

describe('resuming a dataset run', () => {
  const ws = datasetWorkspace('tf-resume-');

  beforeAll(async () => {
    const src = await fixtureSource('coffee');
    await mkdir(join(ws.input(), 'd'), { recursive: true });
    for (const [i, f] of FILES.entries()) {
      const bytes = f.endsWith('.txt')
        ? new TextEncoder().encode('not an image')
        : pngRgb(crop(src, { x: 20 * i, y: 10 * i, width: 260, height: 240 }));
      await writeFile(join(ws.input(), f), bytes);
    }
  });

  async function run(out: string, extra: Partial<DatasetRunOptions> = {}) {
    const seen: string[] = [];
    const result = await runDataset({
      model: ws.pkg(),
      input: ws.input(),
      out,
      ...extra,
      onFile: (r) => {
        seen.push(r.path);
        extra.onFile?.(r);
      },
    });
    return { result, seen };
  }

  async function log(out: string): Promise<FileRecord[]> {
    const all: FileRecord[] = [];
    for await (const r of readRecords(join(out, 'results.jsonl'))) all.push(r);
    return all;
  }

  /** Every image has one token record, numbered 0…n−1 in log order, and tokens.bin holds exactly n. */
  async function expectTokensInStep(out: string): Promise<void> {
    const records = (await log(out)).filter(isProcessed);
    expect(records.map((r) => r.tokens)).toEqual(records.map((_, i) => i));
    const tokens = TokenFileReader.open(join(out, 'tokens.bin'));
    expect(tokens.records).toBe(records.length);
    tokens.close();
  }

  it('--limit then a plain rerun: the second run processes only the rest', async () => {
    const out = join(ws.dir(), 'out-limit');
    const first = await run(out, { limit: 3 });
    expect(first.seen).toEqual(['a.png', 'b.png', 'c.png']);
    expect(first.result.summary.files.total).toBe(3);

    const second = await run(out);
    expect(second.result.alreadyDone).toBe(3);
    expect(second.seen).toEqual(['d/e.png', 'd/f.png', 'g.png', 'readme.txt']);
    expect((await log(out)).map((r) => r.path)).toEqual(FILES);
    expect(second.result.summary.files).toMatchObject({ total: 7, ok: 6, skipped: 1 });
    await expectTokensInStep(out);

    const third = await run(out);
    expect(third.seen).toEqual([]);
    expect(third.result.alreadyDone).toBe(7);
  });

  it('an abort (Ctrl-C) stops after the current image, still writes the summary, and a rerun finishes', async () => {
    const out = join(ws.dir(), 'out-abort');
    const stop = new AbortController();
    const first = await run(out, { signal: stop.signal, onFile: () => stop.abort() });
    expect(first.result.stopped).toBe(true);
    expect(first.seen).toEqual(['a.png']);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { files: { total: number } };
    expect(summary.files.total).toBe(1);
    await expect(readFile(join(out, 'report.html'), 'utf8')).resolves.toContain('a.png');

    const second = await run(out);
    expect(second.result.stopped).toBe(false);
    expect(second.seen).toEqual(FILES.slice(1));
    await expectTokensInStep(out);
  });

  it('after a crash mid-write (orphan tokens, partial log line) the rerun repairs both and redoes the lost image', async () => {
    const out = join(ws.dir(), 'out-crash');
    await run(out);
    const tokensBefore = TokenFileReader.open(join(out, 'tokens.bin'));
    const gTokens = Array.from(tokensBefore.read(5));
    const recordBytes = tokensBefore.layout.recordBytes;
    tokensBefore.close();

    // The crash: g.png's line never completed and readme.txt was never reached, but g.png's
    // tokens (and half of another record) made it to disk.
    const lines = (await readFile(join(out, 'results.jsonl'), 'utf8')).trimEnd().split('\n');
    await writeFile(join(out, 'results.jsonl'), lines.slice(0, 5).join('\n') + '\n' + lines[5].slice(0, 40));
    await appendFile(join(out, 'tokens.bin'), new Uint8Array(recordBytes / 2).fill(7));

    const rerun = await run(out);
    expect(rerun.seen).toEqual(['g.png', 'readme.txt']);
    await expectTokensInStep(out);
    const tokens = TokenFileReader.open(join(out, 'tokens.bin'));
    expect(Array.from(tokens.read(5))).toEqual(gTokens);
    tokens.close();
  });

  it('refuses to mix results of another model or another size into the same folder', async () => {
    const out = join(ws.dir(), 'out-limit');
    const runFile = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    runFile.model.fingerprint = '0123456789abcdef';
    await writeFile(join(out, 'run.json'), JSON.stringify(runFile));
    await expect(run(out)).rejects.toThrow(
      /run\.json: this folder holds results of model .*fingerprint 0123456789abcdef.*choose another --out/,
    );
    await expect(run(join(ws.dir(), 'out-256'), { imageSize: 256 })).rejects.toThrow(
      /--image-size 256: the package .* was exported for 224px .*npm run export -- <checkpoint> --out <dir> --image-size 256/,
    );
    await expect(readFile(join(ws.dir(), 'out-256', 'run.json'))).rejects.toThrow(/ENOENT/);
  });

  it('--sample picks the same files for the same seed', async () => {
    const a = await run(join(ws.dir(), 'out-sample-a'), { sample: 2, seed: 7 });
    const b = await run(join(ws.dir(), 'out-sample-b'), { sample: 2, seed: 7 });
    expect(a.seen).toHaveLength(2);
    expect(b.seen).toEqual(a.seen);
  });
});
