/**
 * Benchmark (run on purpose, not a test): writes a released-size random checkpoint with the
 * test writer, exports it in a fresh process with the real CLI, and prints wall time and peak
 * memory against the goals (under 60 s, under twice the checkpoint's size).
 *
 *   npm run bench:export -- [--variant clip-enhanced|siglip] [--precision fp32|fp16] [--keep]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nodeFileSink } from '../../src/node/file-byte-sink.ts';
import { RELEASED_CLIP_ENHANCED, RELEASED_SIGLIP } from './released-configs.ts';
import { parameterCount, writeRandomCheckpoint } from './random-checkpoint.ts';

const { values } = parseArgs({
  options: {
    variant: { type: 'string', default: 'clip-enhanced' },
    precision: { type: 'string', default: 'fp32' },
    keep: { type: 'boolean', default: false },
    /** Also time one image through the exported package with onnxruntime-node. */
    tokenize: { type: 'string' },
  },
});
const config =
  values.variant === 'siglip'
    ? RELEASED_SIGLIP
    : values.variant === 'clip-enhanced'
      ? RELEASED_CLIP_ENHANCED
      : undefined;
if (!config) throw new Error(`--variant must be clip-enhanced or siglip, got ${values.variant}`);

const dir = await mkdtemp(join(tmpdir(), 'tf-bench-'));
const ckpt = join(dir, values.variant === 'siglip' ? 'tokenflow_siglip_32k.pt' : 'tokenflow_clipb_32k_enhanced.pt');
try {
  console.log(
    `writing a random ${values.variant} checkpoint (${(parameterCount(config) / 1e6).toFixed(1)} M parameters) to ${ckpt} …`,
  );
  let t = performance.now();
  await writeRandomCheckpoint(await nodeFileSink(ckpt), config, { seed: 7 });
  const size = (await stat(ckpt)).size;
  console.log(`  ${(size / 1e9).toFixed(3)} GB in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  console.log(`exporting (${values.precision}) in a fresh process …`);
  t = performance.now();
  const { code, output } = await run(process.execPath, [
    '--import',
    'tsx',
    'src/node/export-cli.ts',
    ckpt,
    '--out',
    join(dir, 'package'),
    '--precision',
    values.precision!,
  ]);
  const wall = (performance.now() - t) / 1000;
  if (code !== 0) throw new Error(`export failed (exit ${code}):\n${output}`);
  const peak = Number(/peak RSS (\d+) MB/.exec(output)?.[1]);
  const pkgBytes = Number(/([\d.]+) MB in /.exec(output)?.[1]) * 1e6;

  const ratio = (peak * 1e6) / size;
  console.log('');
  console.log(
    `checkpoint        ${(size / 1e9).toFixed(3)} GB, ${(parameterCount(config) / 1e6).toFixed(1)} M parameters`,
  );
  console.log(`package           ${(pkgBytes / 1e9).toFixed(3)} GB (${values.precision})`);
  console.log(`export wall time  ${wall.toFixed(1)} s (goal < 60 s)            ${wall < 60 ? 'ok' : 'OVER'}`);
  console.log(
    `export peak RSS   ${peak.toFixed(0)} MB = ${ratio.toFixed(2)} × file size (goal < 2×)   ${ratio < 2 ? 'ok' : 'OVER'}`,
  );

  if (values.tokenize) {
    console.log(
      `\ntokenizing ${values.tokenize} with the exported package (random weights: the picture is noise, the times are real) …`,
    );
    const tok = await run(process.execPath, [
      '--import',
      'tsx',
      'src/node/tokenize-cli.ts',
      '--model',
      join(dir, 'package'),
      '--image',
      values.tokenize,
    ]);
    if (tok.code !== 0) throw new Error(`tokenize failed (exit ${tok.code})`);
  }
} finally {
  if (values.keep) console.log(`kept ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}

function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const relay = (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(`  | ${chunk.toString().trimEnd().replace(/\n/g, '\n  | ')}\n`);
    };
    child.stdout.on('data', relay);
    child.stderr.on('data', relay);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
