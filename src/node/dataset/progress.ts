/**
 * The progress line on stderr: a bar, images per second and time left. On a terminal it redraws
 * one line; otherwise (a log file, CI) it prints a plain line every `plainIntervalMs`, so logs
 * stay readable.
 */

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  readonly now?: () => number;
  readonly plainIntervalMs?: number;
}

export class ProgressBar {
  private readonly now: () => number;
  private readonly started: number;
  private lastPlain = -Infinity;
  private drawn = false;

  /**
   * @param total files in this run's selection
   * @param alreadyDone of those, done by an earlier run (not counted in the rate)
   */
  constructor(
    private readonly stream: ProgressStream,
    private readonly total: number,
    private readonly alreadyDone: number,
    private readonly options: ProgressOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
  }

  /** `done` counts every finished file of the selection, earlier runs' included. */
  update(done: number, current?: string): void {
    const t = this.now();
    const line = this.line(done, t, current);
    if (this.stream.isTTY) {
      const width = Math.max(20, (this.stream.columns ?? 100) - 1);
      this.stream.write(`\r${line.length > width ? line.slice(0, width) : line.padEnd(width)}`);
      this.drawn = true;
    } else if (t - this.lastPlain >= (this.options.plainIntervalMs ?? 10_000) || done === this.total) {
      this.stream.write(line + '\n');
      this.lastPlain = t;
    }
  }

  /** Ends the redrawn line so later output starts on a fresh one. */
  finish(): void {
    if (this.stream.isTTY && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  line(done: number, t: number, current?: string): string {
    const fraction = this.total ? done / this.total : 1;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const elapsed = (t - this.started) / 1000;
    const thisRun = done - this.alreadyDone;
    const rate = elapsed > 0 && thisRun > 0 ? thisRun / elapsed : 0;
    const left = rate > 0 ? formatDuration((this.total - done) / rate) : '?';
    const tail = current ? `  ${current}` : '';
    return `[${bar}] ${done}/${this.total} ${(100 * fraction).toFixed(1)}%  ${rate.toFixed(2)} img/s  ${left} left${tail}`;
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
