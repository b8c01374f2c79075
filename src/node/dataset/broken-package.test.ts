/**
 * Deliberately broken packages, each made from the clip-224 fixture with the project's own
 * checkpoint writer and exporter (or by patching an exported codebook and fixing its sha256):
 * the health checks must name the stage where the damage first shows.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { suiteTempDir } from '../../test-support/suite-temp-dir.ts';
import { fixturePath } from '../../test-support/fixtures.ts';
import { decodeImageFile } from '../image-io.ts';
import { type ProcessedRecord, isProcessed } from './records.ts';
import { readRecords } from './results-log.ts';
import { runDataset } from './run-dataset.ts';
import {
  exportCheckpoint,
  FIXTURE,
  patchPackageFile,
  writeEditedFixtureCheckpoint,
} from '../../test-support/dataset-inputs.ts';

describe('health checks on broken packages', () => {
  const tmp = suiteTempDir('tf-broken-');
  let input: string;

  beforeAll(async () => {
    input = join(tmp(), 'in');
    await mkdir(input);
    await copyFile(fixturePath(FIXTURE, 'astronaut', 'source.png'), join(input, 'astronaut.png'));
  });

  /** Exports the fixture with `edit` applied to its weights, runs the dataset on it, returns the one record. */
  async function runBroken(
    name: string,
    edit: (key: string, v: Float32Array) => Float32Array | undefined,
    patch?: (pkg: string) => Promise<void>,
  ): Promise<{ record: ProcessedRecord; out: string }> {
    const ckpt = join(tmp(), `${name}.pt`);
    const pkg = join(tmp(), `${name}-pkg`);
    await writeEditedFixtureCheckpoint(ckpt, edit);
    // The exporter refuses NaN weights; these tests need the broken package to exist.
    await exportCheckpoint(ckpt, pkg, { allowNonfinite: true });
    if (patch) await patch(pkg);
    const out = join(tmp(), `${name}-out`);
    const run = await runDataset({ model: pkg, input, out });
    expect(run.summary.files.total).toBe(1);
    for await (const r of readRecords(join(out, 'results.jsonl'))) if (isProcessed(r)) return { record: r, out };
    throw new Error(`${name}: no processed record`);
  }

  const where = (r: ProcessedRecord) =>
    r.health.filter((f) => f.severity === 'error').map((f) => `${f.stage}:${f.check}`);
  const nanAt =
    (target: string, index = 0) =>
    (key: string, v: Float32Array) => {
      if (key !== target) return undefined;
      const out = v.slice();
      out[index] = NaN;
      return out;
    };
  const zeroed =
    (...keys: string[]) =>
    (key: string, v: Float32Array) =>
      keys.includes(key) ? new Float32Array(v.length) : undefined;

  it('the unbroken fixture is healthy (the checks below are not triggered by the fixture itself)', async () => {
    const { record } = await runBroken('intact', () => undefined);
    expect(record.status).toBe('ok');
    expect(record.health).toEqual([]);
  });

  it('a NaN weight in the pixel encoder (quant_conv) is named at the pixel encoder; the quantizer refuses it; no image', async () => {
    const { record } = await runBroken('nan-pixel-encoder', nanAt('quant_conv.weight'));
    expect(record.status).toBe('error');
    expect(record.firstProblemStage).toBe('pixel encoder');
    expect(where(record)).toEqual(['pixel encoder:non-finite', 'quantizer:stage-failed']);
    expect(record.health[0].message).toMatch(
      /pixel encoder output has 196 NaN and 0 ±Inf of 1568 values \(first: \[0,0,0,0\] = NaN\)/,
    );
    expect(record.health[1].message).toMatch(/quantizer failed: h\[0,32,0,0\] is NaN/);
    expect(record.recon).toBeUndefined();
    expect(record.tokens).toBeUndefined();
  });

  it('zeroed semantic projection weights give zero-norm features at the semantic encoder', async () => {
    const { record } = await runBroken(
      'zero-semantic',
      zeroed('encode_task_layer.2.weight', 'encode_task_layer.2.bias'),
    );
    expect(record.firstProblemStage).toBe('semantic encoder');
    expect(where(record)[0]).toBe('semantic encoder:zero-norm-features');
    expect(record.health[0].message).toMatch(/196 of 196 positions have zero-norm semantic features/);
  });

  it('a NaN weight in post_quant_conv makes NaN decoder output and a black image, both named at the decoder', async () => {
    const { record, out } = await runBroken('nan-decoder', nanAt('post_quant_conv.weight'));
    expect(record.firstProblemStage).toBe('decoder');
    expect(where(record)).toEqual(['decoder:non-finite', 'decoder:black-reconstruction']);
    const recon = await decodeImageFile(join(out, record.recon!));
    expect(recon.data.every((v) => v === 0)).toBe(true);
  });

  it('a zeroed decoder output layer gives a constant decoder output and a uniform grey image, named at the decoder', async () => {
    const { record, out } = await runBroken('zero-decoder', zeroed('decoder.conv_out.weight', 'decoder.conv_out.bias'));
    expect(record.firstProblemStage).toBe('decoder');
    expect(where(record)).toEqual(['decoder:flat-output', 'decoder:flat-reconstruction']);
    expect(record.health[0].message).toMatch(/grey \(128\)/);
    const recon = await decodeImageFile(join(out, record.recon!));
    expect(recon.data.every((v) => v === 128)).toBe(true);
  });

  it('a decoder scaled ×1000 is out of range, at the decoder', async () => {
    const scaled = (key: string, v: Float32Array) =>
      key === 'decoder.conv_out.weight' || key === 'decoder.conv_out.bias' ? v.map((x) => x * 1000) : undefined;
    const { record } = await runBroken('loud-decoder', scaled);
    expect(record.health.map((f) => `${f.severity}:${f.stage}:${f.check}`)).toContain(
      'warning:decoder:out-of-range-output',
    );
    expect(record.decoderOutput!.clipped).toBeGreaterThan(0.25);
  });

  it('a codebook whose rows are all equal (patched in the package, sha256 fixed) collapses to one code, at the quantizer', async () => {
    const repeatRow0 = (dim: number) => (bytes: Uint8Array) => {
      const rows = new Float32Array(bytes.slice().buffer);
      for (let k = 1; k < rows.length / dim; k++) rows.copyWithin(k * dim, 0, dim);
      return new Uint8Array(rows.buffer);
    };
    const { record } = await runBroken(
      'collapsed',
      () => undefined,
      async (pkg) => {
        await patchPackageFile(pkg, 'codebook_semantic.f32.bin', repeatRow0(32));
        await patchPackageFile(pkg, 'codebook_pixel.f32.bin', repeatRow0(8));
      },
    );
    expect(record.codebook!.distinct).toBe(1);
    expect(record.firstProblemStage).toBe('quantizer');
    expect(where(record)[0]).toBe('quantizer:codebook-collapse');
    expect(record.health.find((f) => f.check === 'codebook-collapse')!.message).toMatch(
      /only 1 distinct code for 561 tokens \(K=2048\)/,
    );
  });
});
