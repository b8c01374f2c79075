/**
 * The globals any checkpoint may use, whatever framework wrote it, with their effect
 * re-implemented as plain data constructors (OrderedDict, set, _codecs.encode) or inert
 * placeholders (argparse.Namespace, numpy scalars). Nothing else is ever resolved.
 */
import { CheckpointError } from '../../src/core/bytes/checkpoint-error.ts';
import { PyCallable, PyObject } from './pickle-values.ts';

/** Python 2 module names that protocol-2 pickles use for the same objects (fix_imports). */
export const PY2_MODULES: Readonly<Record<string, string>> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

function latin1Bytes(s: string, where: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff)
      throw new CheckpointError(
        `${where}: _codecs.encode(..., 'latin1') got a character beyond latin1 (U+${c.toString(16)})`,
      );
    out[i] = c;
  }
  return out;
}

function encodeString(args: readonly unknown[], where: string): Uint8Array {
  const [text, encoding = 'utf-8'] = args;
  if (typeof text !== 'string' || typeof encoding !== 'string')
    throw new CheckpointError(`${where}: _codecs.encode expects (str, encoding)`);
  const enc = encoding.toLowerCase().replace(/[-_]/g, '');
  if (enc === 'latin1' || enc === 'iso88591') return latin1Bytes(text, where);
  if (enc === 'utf8') return new TextEncoder().encode(text);
  if (enc === 'ascii') return latin1Bytes(text, where);
  throw new CheckpointError(`${where}: _codecs.encode with encoding '${encoding}' is not supported`);
}

function toSet(args: readonly unknown[], what: string, where: string): Set<unknown> {
  if (args.length === 0) return new Set();
  const items = args[0];
  if (Array.isArray(items)) return new Set(items);
  if (items instanceof Set) return new Set(items);
  throw new CheckpointError(`${where}: ${what} expects a list of items`);
}

function toMap(args: readonly unknown[], where: string): Map<unknown, unknown> {
  const out = new Map<unknown, unknown>();
  if (args.length === 0) return out;
  const items = args[0];
  if (items instanceof Map) return new Map(items);
  if (Array.isArray(items)) {
    for (const pair of items) {
      if (!Array.isArray(pair) || pair.length !== 2)
        throw new CheckpointError(`${where}: OrderedDict expects (key, value) pairs`);
      out.set(pair[0], pair[1]);
    }
    return out;
  }
  throw new CheckpointError(`${where}: OrderedDict expects a list of pairs`);
}

export function safeGlobal(module: string, name: string, where: string): unknown {
  const qualified = `${module}.${name}`;
  switch (qualified) {
    case 'collections.OrderedDict':
      return new PyCallable(qualified, (args) => toMap(args, where));
    case 'builtins.set':
    case 'builtins.frozenset':
      return new PyCallable(qualified, (args) => toSet(args, qualified, where));
    case 'builtins.bytearray':
      return new PyCallable(qualified, (args) =>
        args.length === 0
          ? new Uint8Array(0)
          : args[0] instanceof Uint8Array
            ? args[0].slice()
            : encodeString(args, where),
      );
    // Protocol 2 has no bytes opcode; Python writes bytes as _codecs.encode(text, 'latin1').
    case '_codecs.encode':
      return new PyCallable(qualified, (args) => encodeString(args, where));
    // Inert placeholders: trainers store these in `args`; their content is never needed.
    case 'argparse.Namespace':
    case 'numpy.core.multiarray.scalar':
    case 'numpy._core.multiarray.scalar':
    case 'numpy.dtype':
      return new PyCallable(qualified, (args) => new PyObject(qualified, args));
    default:
      return undefined;
  }
}
