/**
 * npm run dataset -- --model <package> --in <folder> --out <folder> [options]
 *
 * Tokenizes and reconstructs every image of a folder and reports how well each came back; see
 * USAGE. Ctrl-C stops after the current image and still writes the report; rerunning the same
 * command resumes.
 *
 * Run with `node --import tsx` (the npm script does), not the tsx CLI: the tsx CLI is a parent
 * process that SIGKILLs its child when the child does not acknowledge a signal within 30 ms,
 * which a child busy in the quantizer or SSIM never does, so Ctrl-C could not stop cleanly.
 */
import { parseArgs } from 'node:util';
import { runDataset } from './run-dataset.ts';
import { HELP_OPTION, runCommand, stringOptions } from '../command.ts';

const USAGE = `usage: npm run dataset -- --model <package dir> --in <image folder> --out <output folder> [options]

Runs every PNG, JPEG and WebP image under --in (recursively; names starting with '.' are ignored)
through the model package with the official preprocessing (the stored pixels as Pillow decodes them,
EXIF orientation reported but not applied; centre crop to the model's input size), and writes to
--out (which may sit inside --in, and is then left out of the scan, but may not be --in itself):
  recon/<path>.png   the reconstructions, mirroring the input tree
  tokens.bin         every image's tokens, all scales (format: docs/dataset-tokens.md)
  results.jsonl      one line per file: metrics, codebook usage, health findings, or why it was skipped
                     (a name that is not valid UTF-8 is written with \\xNN escapes)
  summary.json       means, medians, codebook usage, the worst and best images, problems by stage
  report.html        the summary as one self-contained page, worst and best images beside their originals

options:
  --limit N          only the first N files (sorted by path; after --sample)
  --sample N         a random sample of N files, the same for the same --seed
  --seed S           seed for --sample (default 0)
  --image-size R     check that the package runs at R pixels. A package runs only at the size it
                     was exported for; for another size export another package:
                       npm run export -- <checkpoint> --out <dir> --image-size R
  --threads N        onnxruntime intra-op threads per graph (default: onnxruntime's choice, all
                     cores); on a machine busy with other work --threads 1 is often faster
  -h, --help         this text

Ctrl-C stops after the current image and writes the summary; run the same command again to resume
(files already in results.jsonl are skipped). Press Ctrl-C twice to quit at once.`;

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`${name} must be a positive integer, got '${value}'`);
  return Number(value);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      ...stringOptions(['model', 'in', 'out', 'limit', 'sample', 'seed', 'image-size', 'threads']),
      ...HELP_OPTION,
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.model || !values.in || !values.out) throw new Error(`--model, --in and --out are required\n\n${USAGE}`);
  if (values.seed !== undefined && !/^-?\d+$/.test(values.seed))
    throw new Error(`--seed must be an integer, got '${values.seed}'`);
  if (values.seed !== undefined && values.sample === undefined) throw new Error('--seed only applies with --sample N');

  const stop = new AbortController();
  let firstInterrupt: number | undefined;
  const onSigint = () => {
    const now = performance.now();
    // npm forwards the terminal's SIGINT to its child, which gets its own from the terminal too:
    // signals within half a second of the first are the same key press.
    if (firstInterrupt !== undefined && now - firstInterrupt < 500) return;
    if (firstInterrupt === undefined) {
      firstInterrupt = now;
      process.stderr.write('\nstopping after the current image and writing the report (Ctrl-C again to quit now)…\n');
      stop.abort();
    } else {
      process.stderr.write('\nquitting; results.jsonl holds every finished image, rerun to resume\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  try {
    const r = await runDataset({
      model: values.model,
      input: values.in,
      out: values.out,
      limit: positiveInt('--limit', values.limit),
      sample: positiveInt('--sample', values.sample),
      seed: values.seed === undefined ? undefined : Number(values.seed),
      imageSize: positiveInt('--image-size', values['image-size']),
      threads: positiveInt('--threads', values.threads),
      signal: stop.signal,
      progress: process.stderr,
    });
    const f = r.summary.files;
    const psnr = r.summary.metrics.psnr.mean;
    const ssim = r.summary.metrics.ssim.mean;
    console.log(
      `${r.stopped ? 'stopped' : 'done'}: ${r.processedNow} file(s) this run` +
        (r.alreadyDone ? `, ${r.alreadyDone} already done` : '') +
        ` of ${r.selected} selected, in ${r.seconds.toFixed(1)} s\n` +
        `all runs: ${f.ok} ok, ${f.warning} with warnings, ${f.error} with errors, ${f.unreadable} unreadable, ${f.skipped} skipped` +
        (psnr !== null && ssim !== null ? `; mean PSNR ${psnr.toFixed(2)} dB, SSIM ${ssim.toFixed(4)}` : '') +
        `\nreport: ${r.paths.html}\nsummary: ${r.paths.summary}`,
    );
    if (r.stopped) console.log('rerun the same command to resume');
    return r.stopped ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

runCommand('dataset', main);
