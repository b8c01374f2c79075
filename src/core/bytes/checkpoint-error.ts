/**
 * The one error type the checkpoint readers throw for a file they cannot read (damaged,
 * truncated, hostile, or simply not a checkpoint). Callers and the fuzz suite can tell it from
 * a bug in the reader (a raw RangeError or TypeError), which must never escape.
 */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}
