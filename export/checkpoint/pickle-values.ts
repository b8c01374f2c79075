/**
 * The values an unpickled checkpoint is made of, beyond plain JS data: callables of the allowed
 * globals, inert stand-ins for allowed Python objects, frozen arrays as tuples.
 */
import { CheckpointError } from '../../src/core/bytes/checkpoint-error.ts';

/** An allowed global that may be called by REDUCE/NEWOBJ; `call` builds data, nothing else. */
export class PyCallable {
  constructor(
    readonly qualifiedName: string,
    readonly call: (args: readonly unknown[], kwargs?: ReadonlyMap<unknown, unknown>) => unknown,
  ) {}
}

/**
 * An inert stand-in for an allowed Python object (argparse.Namespace, numpy scalar/dtype):
 * the class name, the constructor arguments and the state BUILD gave it; no behaviour.
 */
export class PyObject {
  state: unknown = undefined;
  constructor(
    readonly className: string,
    readonly args: readonly unknown[],
  ) {}

  /** The instance attributes when the state is a plain dict (argparse.Namespace), else empty. */
  get attributes(): ReadonlyMap<unknown, unknown> {
    return this.state instanceof Map ? this.state : new Map();
  }
}

/** Resolves a global to a value or a PyCallable; `undefined` means "not allowed". */
export type GlobalResolver = (module: string, name: string) => unknown;

export class UnpickleRefusedError extends CheckpointError {
  constructor(
    message: string,
    readonly module: string,
    readonly globalName: string,
  ) {
    super(message);
    this.name = 'UnpickleRefusedError';
  }
}

export function tuple(items: unknown[]): readonly unknown[] {
  return Object.freeze(items);
}

export function isTuple(v: unknown): v is readonly unknown[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

/** How a value reads in an error message. */
export function describeValue(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PyCallable) return v.qualifiedName;
  if (v instanceof PyObject) return `a ${v.className} object`;
  if (v instanceof Map) return 'a dict';
  if (isTuple(v)) return 'a tuple';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'object'}`;
  return `a ${typeof v}`;
}
