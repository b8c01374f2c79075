/**
 * A PackageDirectory in a local folder, written to a temporary sibling `.NAME.partial-PID` and
 * renamed into place only when the export succeeded: a failed or interrupted export never
 * leaves a half-written package, and never destroys the one that was there.
 *
 * It deletes only what the exporter wrote: the destination must be new, empty, or hold nothing
 * but a package of ours (our manifest plus the files it lists); anything else is refused with a
 * list of what is there. The checkpoint being exported can never be inside it.
 */
import { existsSync, rmSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { EXPORTER_FILE_NAMES, type PackageDirectory } from '../../export/export-package.ts';
import { parseManifest } from '../core/model-package/manifest.ts';
import { queuedFileSink } from './file-byte-queued-sink.ts';

export interface StagedPackageDirectory extends PackageDirectory {
  /** The temporary folder the package is written to. */
  readonly stagingPath: string;
  /** Moves the finished package to its destination (replacing an older package of ours there). */
  commit(): Promise<void>;
  /** Removes the staging folder after a failure. */
  abort(): Promise<void>;
}

export interface StagedPackageOptions {
  /** Files the export reads (the checkpoint): the destination may not be or contain them. */
  readonly inputs?: readonly string[];
  /** Told about stale partial folders found beside the destination, and what was done with them. */
  readonly onNotice?: (message: string) => void;
}

export class PackageFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageFolderError';
  }
}

/** Staging folders of this process still in use (two exports into one folder would share one). */
const activeStaging = new Set<string>();
const SHOWN = 12;

export async function stagedPackageDirectory(
  outDir: string,
  options: StagedPackageOptions = {},
): Promise<StagedPackageDirectory> {
  const target = resolve(outDir);
  await refuseInputsInside(target, outDir, options.inputs ?? []);
  const existing = await stat(target).catch(() => undefined);
  if (existing && !existing.isDirectory())
    throw new PackageFolderError(`${outDir} exists and is not a folder; refusing to replace it (choose another --out)`);
  if (existing) await refuseForeignContents(target, outDir);

  const staging = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  if (activeStaging.has(staging))
    throw new PackageFolderError(`another export into ${outDir} is running in this process`);
  await sweepStalePartials(target, options.onNotice ?? (() => {}));
  activeStaging.add(staging);
  try {
    await mkdir(staging, { recursive: true });
  } catch (e) {
    activeStaging.delete(staging);
    throw e;
  }
  return {
    stagingPath: staging,
    async open(path: string) {
      if (path.includes('..') || path.startsWith('/'))
        throw new Error(`package file name ${path} must stay inside the package`);
      // Queued: the exporter converts and hashes the next weight while this one goes to disk.
      return queuedFileSink(join(staging, path));
    },
    async commit() {
      // Checked again: the folder may have changed during a long export.
      if (await stat(target).catch(() => undefined)) {
        await refuseForeignContents(target, outDir);
        await rm(target, { recursive: true, force: true });
      }
      await mkdir(dirname(target), { recursive: true });
      await rename(staging, target);
      activeStaging.delete(staging);
    },
    async abort() {
      await rm(staging, { recursive: true, force: true });
      activeStaging.delete(staging);
    },
  };
}

async function refuseInputsInside(target: string, outDir: string, inputs: readonly string[]): Promise<void> {
  const realTarget = await realpath(target).catch(() => target);
  for (const input of inputs) {
    const realInput = await realpath(input).catch(() => resolve(input));
    if (realInput === realTarget || realInput.startsWith(realTarget + sep)) {
      throw new PackageFolderError(
        `--out ${outDir} holds the checkpoint being exported (${input}); an export never replaces its own input — choose another --out`,
      );
    }
  }
}

/**
 * Refuses a non-empty folder unless it holds exactly a package of ours: a manifest that parses
 * as our format and only the files it lists (a package from a half-finished copy may lack some).
 */
async function refuseForeignContents(target: string, outDir: string): Promise<void> {
  const entries = await readdir(target, { withFileTypes: true });
  if (entries.length === 0) return;
  const shown = (names: string[]) =>
    names.slice(0, SHOWN).join(', ') + (names.length > SHOWN ? `, … and ${names.length - SHOWN} more` : '');
  const everything = entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
  const refuse = (why: string): never => {
    throw new PackageFolderError(
      `${outDir} ${why}; refusing to replace it (it holds ${shown(everything)}). ` +
        'Choose a new or empty folder for --out, or move those files away',
    );
  };
  if (!entries.some((e) => e.name === 'manifest.json' && e.isFile())) refuse('is not empty and holds no model package');
  let listed: Set<string>;
  try {
    const manifest = parseManifest(
      JSON.parse(await readFile(join(target, 'manifest.json'), 'utf8')),
      join(outDir, 'manifest.json'),
    );
    listed = new Set(['manifest.json', ...manifest.files.map((f) => f.path)]);
  } catch (e) {
    return refuse(`holds a manifest.json that is not a TokenFlow model package (${(e as Error).message})`);
  }
  const foreign = entries
    .filter((e) => !e.isFile() || !listed.has(e.name))
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
  if (foreign.length > 0)
    refuse(`holds a model package plus files its manifest does not list (${shown(foreign.sort())})`);
}

/**
 * Partial folders of earlier exports into the same destination whose process is gone (killed
 * with SIGKILL, a crash, a power cut) are removed when they hold nothing but files the exporter
 * writes; any other is reported and left alone.
 */
async function sweepStalePartials(target: string, notice: (message: string) => void): Promise<void> {
  const parent = dirname(target);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(target))}\\.partial-(\\d+)$`);
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    const path = join(parent, name);
    const nearby = relative(process.cwd(), path);
    const shownPath = nearby.startsWith('..') ? path : nearby;
    // Our own PID here is a leftover of an earlier process that had it (the active case was refused above).
    if (pid !== process.pid && processAlive(pid)) {
      notice(
        `found ${shownPath}, being written by running process ${pid} (another export into the same folder?); left alone`,
      );
      continue;
    }
    const foreign = await foreignEntries(path);
    if (foreign.length === 0) {
      await rm(path, { recursive: true, force: true });
      notice(`removed ${shownPath}, left by an interrupted export (process ${pid} is no longer running)`);
    } else {
      notice(
        `found ${shownPath}, left by process ${pid} (no longer running), ` +
          `but it holds files the exporter never writes (${foreign.slice(0, SHOWN).join(', ')}); ` +
          'left alone — delete it if it is not yours',
      );
    }
  }
}

async function foreignEntries(folder: string): Promise<string[]> {
  if (!(await lstat(folder)).isDirectory()) return [basename(folder)];
  const entries = await readdir(folder, { withFileTypes: true });
  return entries
    .filter((e) => !e.isFile() || !EXPORTER_FILE_NAMES.has(e.name))
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Removes `path` if the process is interrupted (Ctrl-C, SIGTERM) before `detach` is called,
 * then lets the signal take its normal course: the process ends with it, unless another
 * listener (a training loop's) has taken charge of it.
 */
export function removeOnSignal(path: string): () => void {
  const handler = (signal: NodeJS.Signals) => {
    detach();
    if (existsSync(path)) rmSync(path, { recursive: true, force: true });
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const detach = () => {
    for (const s of SIGNALS) process.off(s, handler);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return detach;
}
