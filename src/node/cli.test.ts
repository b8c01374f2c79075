/**
 * The export and tokenize commands as a user runs them: real processes, real files, exit codes
 * and messages. Bad input must give one clear line and leave existing files alone.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath, loadFixtureManifest } from '../test-support/fixtures.ts';
import { nodeFileSink } from './file-byte-sink.ts';
import { writeTorchCheckpoint } from '../../export/checkpoint/torch-writer.ts';
import { withFloatWritten } from '../test-support/locate-tensor.ts';
import { writeEditedFixtureCheckpoint } from '../test-support/dataset-inputs.ts';

function run(script: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 240_000 });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}
const exportCli = (...args: string[]) => run('src/node/export-cli.ts', args);
const tokenizeCli = (...args: string[]) => run('src/node/tokenize-cli.ts', args);

describe('npm run export / npm run tokenize', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'tf-cli-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('exports a checkpoint and tokenizes an image into a dump laid out like the fixtures', () => {
    const pkg = join(tmp, 'clip-224');
    const exported = exportCli(fixturePath('clip-224', 'checkpoint.pt'), '--out', pkg);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/clip, 224px → 14×14, 8 scales \(561 tokens\), K=2048, 'model' weights, fp32/);
    expect(readdirSync(pkg).sort()).toEqual(
      [
        'codebook_pixel.f32.bin',
        'codebook_semantic.f32.bin',
        'manifest.json',
        'pixel_decoder.onnx',
        'pixel_encoder.onnx',
        'semantic_encoder.onnx',
      ].sort(),
    );

    const dump = join(tmp, 'dump');
    const tokenized = tokenizeCli(
      '--model',
      pkg,
      '--image',
      fixturePath('clip-224', 'astronaut', 'source.png'),
      '--dump',
      dump,
    );
    expect(tokenized.code, tokenized.stderr).toBe(0);
    expect(existsSync(join(dump, 'recon.png'))).toBe(true);
    const ours = JSON.parse(readFileSync(join(dump, 'manifest.json'), 'utf8')).tensors as Record<
      string,
      { file: string; dtype: string; shape: number[] }
    >;
    const official = loadFixtureManifest('clip-224').images.find((i) => i.name === 'astronaut')!.tensors;
    for (const name of [
      'input_u8',
      'semantic_features',
      'pixel_features',
      'indices',
      'indices_semantic_only',
      'indices_pixel_only',
      'margin',
      'f_hat',
      'f_hat_from_indices',
      'image',
      'image_u8',
      'quant_input',
      'quant_output',
    ]) {
      expect(ours[name], name).toBeDefined();
      expect(ours[name].dtype, name).toBe(official[name].dtype);
      expect(ours[name].shape, name).toEqual(official[name].shape);
      expect(ours[name].file, name).toBe(official[name].file.split('/').pop());
    }
    // The crop is bit-exact, so its bytes equal the official file.
    expect(
      readFileSync(join(dump, 'input_u8.u8.bin')).equals(
        readFileSync(fixturePath('clip-224', 'astronaut', 'input_u8.u8.bin')),
      ),
    ).toBe(true);
  });

  it('refuses a file that is not a checkpoint, and creates nothing', () => {
    const bogus = join(tmp, 'photo.pt');
    copyFileSync(fixturePath('clip-224', 'coffee', 'source.png'), bogus);
    const out = join(tmp, 'never');
    const r = exportCli(bogus, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/photo\.pt: .*neither a torch\.save zip nor a safetensors file/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a truncated checkpoint and keeps the package that was already there', () => {
    const pkg = join(tmp, 'keep-me');
    expect(exportCli(fixturePath('clip-224', 'checkpoint.pt'), '--out', pkg).code).toBe(0);
    const before = readFileSync(join(pkg, 'manifest.json'), 'utf8');
    const truncated = join(tmp, 'truncated.pt');
    writeFileSync(truncated, readFileSync(fixturePath('clip-224', 'checkpoint.pt')).subarray(0, 5_000_000));
    const r = exportCli(truncated, '--out', pkg);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/truncated\.pt: /);
    expect(readFileSync(join(pkg, 'manifest.json'), 'utf8')).toBe(before);
    expect(readdirSync(tmp).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('refuses the state dict of another model, listing what a TokenFlow checkpoint has', async () => {
    const other = join(tmp, 'other-model.pt');
    await writeTorchCheckpoint(await nodeFileSink(other), {
      model: [
        { key: 'backbone.conv1.weight', shape: [8, 3, 3, 3], values: () => new Float32Array(216) },
        { key: 'head.fc.weight', shape: [10, 8], values: () => new Float32Array(80) },
      ],
    });
    const r = exportCli(other, '--out', join(tmp, 'other'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /other-model\.pt: this is not a TokenFlow state dict: neither 'encoder_vqkd\.conv1\.weight'/,
    );
  });

  it('refuses a folder that holds something other than a package', () => {
    const precious = join(tmp, 'precious');
    mkdirSync(precious);
    writeFileSync(join(precious, 'thesis.tex'), 'do not delete');
    const r = exportCli(fixturePath('clip-224', 'checkpoint.pt'), '--out', precious);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not empty and holds no model package; refusing to replace it \(it holds thesis\.tex\)/);
    expect(readFileSync(join(precious, 'thesis.tex'), 'utf8')).toBe('do not delete');
  });

  // Regression (issue 11): both folders were replaced whole.
  it("refuses a folder whose manifest.json is someone else's, listing what is there", () => {
    const site = join(tmp, 'web-app');
    mkdirSync(join(site, 'icons'), { recursive: true });
    writeFileSync(join(site, 'manifest.json'), JSON.stringify({ name: 'My PWA', start_url: '/' }));
    writeFileSync(join(site, 'index.html'), '<!doctype html>');
    const r = exportCli(fixturePath('clip-224', 'checkpoint.pt'), '--out', site);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        'web-app holds a manifest\\.json that is not a TokenFlow model package \\(.*format is undefined.*\\); ' +
          'refusing to replace it \\(it holds icons/, index\\.html, manifest\\.json\\)',
      ),
    );
    expect(readdirSync(site).sort()).toEqual(['icons', 'index.html', 'manifest.json']);
  });

  it('never deletes its input: --out onto the package folder that holds the checkpoint is refused', () => {
    const pkg = join(tmp, 'pkg-with-ckpt');
    expect(exportCli(fixturePath('clip-224', 'checkpoint.pt'), '--out', pkg).code).toBe(0);
    const ckpt = join(pkg, 'my-model.pt');
    copyFileSync(fixturePath('clip-224', 'checkpoint.pt'), ckpt);
    const r = exportCli(ckpt, '--out', pkg);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /--out .*pkg-with-ckpt holds the checkpoint being exported .*my-model\.pt.*never replaces its own input/,
    );
    expect(readFileSync(ckpt).equals(readFileSync(fixturePath('clip-224', 'checkpoint.pt')))).toBe(true);
    // And a package folder with any file it does not list is not ours to replace either.
    const other = join(tmp, 'other-ckpt.pt');
    copyFileSync(fixturePath('clip-224', 'checkpoint.pt'), other);
    const r2 = exportCli(other, '--out', pkg);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/holds a model package plus files its manifest does not list \(my-model\.pt\)/);
    expect(existsSync(ckpt)).toBe(true);
  });

  it.each(['SIGINT', 'SIGTERM'])(
    '%s during an export removes the partial folder and ends the process with the signal',
    (signal) => {
      const out = join(tmp, `interrupted-${signal}`);
      const r = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/test-support/interrupted-export.ts',
          fixturePath('clip-224', 'checkpoint.pt'),
          out,
          signal,
        ],
        {
          encoding: 'utf8',
          timeout: 240_000,
        },
      );
      expect(r.signal, r.stdout + r.stderr).toBe(signal);
      expect(readdirSync(tmp).filter((f) => f.startsWith(`.interrupted-${signal}`))).toEqual([]);
      expect(existsSync(out)).toBe(false);
    },
  );

  it('a stale partial folder of a dead export is removed and reported', () => {
    const out = join(tmp, 'stale');
    // A PID that is certainly not running: a process that has exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = join(tmp, `.stale.partial-${dead}`);
    mkdirSync(stale);
    writeFileSync(join(stale, 'pixel_decoder.onnx'), 'half a graph');
    const r = exportCli(fixturePath('clip-224', 'checkpoint.pt'), '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: removed `);
    expect(r.stderr).toMatch(
      new RegExp(
        `\\.stale\\.partial-${dead}, left by an interrupted export \\(process ${dead} is no longer running\\)`,
      ),
    );
    expect(existsSync(stale)).toBe(false);
  });

  // Regression (issue 11): both exported without a word, and decode to black images.
  it('a weight changed on disk after saving fails its CRC-32, naming the record and the tensor', async () => {
    const { bytes, record } = await withFloatWritten(
      readFileSync(fixturePath('clip-224', 'checkpoint.pt')),
      'decoder.conv_out.weight',
      7,
      NaN,
    );
    const damaged = join(tmp, 'damaged.pt');
    writeFileSync(damaged, bytes);
    const out = join(tmp, 'damaged-pkg');
    const r = exportCli(damaged, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `damaged.pt: zip entry '${record}' (tensor 'decoder.conv_out.weight') fails its CRC-32 check`,
    );
    expect(existsSync(out)).toBe(false);
  });

  const nonFiniteTitle =
    'weights saved with NaN or Inf fail the export, listing tensors and counts; ' +
    '--allow-nonfinite exports them with a warning';
  it(nonFiniteTitle, async () => {
    const diverged = join(tmp, 'diverged.pt');
    await writeEditedFixtureCheckpoint(diverged, (key, v) => {
      if (key !== 'decoder.conv_out.weight' && key !== 'post_quant_conv.weight') return undefined;
      const out = v.slice();
      if (key === 'decoder.conv_out.weight') out.set([NaN, NaN, Infinity], 4);
      else out[0] = -Infinity;
      return out;
    });
    const out = join(tmp, 'diverged-pkg');
    const r = exportCli(diverged, '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/diverged\.pt: 2 weight tensors hold NaN or ±Inf: /);
    expect(r.stderr).toMatch(/post_quant_conv\.weight \(0 NaN, 1 ±Inf of \d+ values\)/);
    expect(r.stderr).toMatch(/decoder\.conv_out\.weight \(2 NaN, 1 ±Inf of \d+ values\)/);
    expect(existsSync(out)).toBe(false);
    const allowed = exportCli(diverged, '--out', out, '--allow-nonfinite');
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toMatch(/warning: .*diverged\.pt: 2 weight tensors hold NaN or ±Inf: .*; exported anyway/);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).description).toMatch(
      /2 of its weight tensors hold NaN or ±Inf/,
    );
  });

  it('tokenize names a folder that is not a model package', () => {
    const r = tokenizeCli('--model', tmp, '--image', fixturePath('clip-224', 'coffee', 'source.png'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not a model package: it has no manifest\.json/);
  });
});
