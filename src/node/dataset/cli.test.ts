/**
 * The command itself, run the way the npm script runs it (node --import tsx): help, argument
 * errors, and Ctrl-C (SIGINT) stopping cleanly with the report written, then the same command
 * resuming.
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetWorkspace } from '../../test-support/dataset-workspace.ts';
import { crop, fixtureSource, pngRgb } from '../../test-support/dataset-inputs.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], onStart?: (child: ReturnType<typeof spawn>) => void): Promise<Exit> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/node/dataset/cli.ts', ...args], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    onStart?.(child);
  });
}

describe('dataset CLI', () => {
  it('--help explains the options, including why --image-size needs a re-export', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const s of [
      '--model',
      '--in',
      '--out',
      '--limit',
      '--sample',
      '--seed',
      '--threads',
      'npm run export -- <checkpoint> --out <dir> --image-size R',
      'Ctrl-C',
    ])
      expect(r.stdout).toContain(s);
  });

  it('names a bad option value and the missing arguments', async () => {
    const bad = await cli(['--model', 'm', '--in', 'i', '--out', 'o', '--limit', 'ten']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("dataset: --limit must be a positive integer, got 'ten'");
    const missing = await cli(['--model', 'm']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('dataset: --model, --in and --out are required');
  });

  describe('on a real folder', () => {
    const ws = datasetWorkspace('tf-cli-');
    beforeAll(async () => {
      const src = await fixtureSource('astronaut');
      for (let i = 0; i < 8; i++)
        await writeFile(
          join(ws.input(), `img${i}.png`),
          pngRgb(crop(src, { x: 30 * i, y: 20 * i, width: 240, height: 240 })),
        );
    });

    it('Ctrl-C stops after the current image with the report written; the same command then resumes', async () => {
      const out = join(ws.dir(), 'out');
      const args = ['--model', ws.pkg(), '--in', ws.input(), '--out', out, '--threads', '1'];
      const stopped = await cli(args, (child) => {
        // Interrupt as soon as the first image is committed to results.jsonl.
        const poll = setInterval(async () => {
          const log = await readFile(join(out, 'results.jsonl'), 'utf8').catch(() => '');
          if (log.includes('\n')) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 50);
        child.on('close', () => clearInterval(poll));
      });
      expect(stopped.code).toBe(130);
      expect(stopped.stderr).toContain('stopping after the current image');
      expect(stopped.stdout).toContain('rerun the same command to resume');
      const done = (await readFile(join(out, 'results.jsonl'), 'utf8')).trim().split('\n').length;
      expect(done).toBeGreaterThanOrEqual(1);
      expect(done).toBeLessThan(8);
      const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { files: { total: number } };
      expect(summary.files.total).toBe(done);
      // Not a terminal: plain progress lines, no carriage returns.
      expect(stopped.stderr).not.toContain('\r');
      expect(stopped.stderr).toMatch(/\[[#-]{24}\] 0\/8 /);

      const resumed = await cli(args);
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toContain(`done: ${8 - done} file(s) this run, ${done} already done of 8 selected`);
      expect(resumed.stdout).toMatch(/all runs: 8 ok/);
      expect(resumed.stderr).toMatch(/\[#{24}\] 8\/8 100\.0%/);
    });
  });
});
