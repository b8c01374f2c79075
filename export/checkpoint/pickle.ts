/**
 * A safe unpickler for the data a checkpoint holds (protocols 2–5). It interprets the pickle
 * opcodes as data only: containers, numbers, strings, bytes, persistent ids, and a short
 * allowlist of globals whose effect is re-implemented here in a few lines (OrderedDict, set,
 * _codecs.encode) or reduced to inert placeholders (argparse.Namespace, numpy scalars). Every
 * other global is refused when it is named, before anything could be called. Nothing is ever
 * executed and no string is ever evaluated.
 *
 * Python values map to: None → null, bool → boolean, int → number (bigint beyond 2^53),
 * float → number, str → string, bytes/bytearray → Uint8Array, list → array, tuple → frozen
 * array, dict/OrderedDict → Map, set/frozenset → Set, allowed objects → PyObject.
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

export interface UnpickleOptions {
  /** Prefix of every message: the file and the record, e.g. "model.pt: archive/data.pkl". */
  readonly where: string;
  /** Globals beyond the built-in safe set (torch rebuild functions, storage classes). */
  readonly globals?: GlobalResolver;
  /** Resolves persistent ids (torch storages); without it a persistent id is an error. */
  readonly persistentLoad?: (pid: unknown) => unknown;
}

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

function tuple(items: unknown[]): readonly unknown[] {
  return Object.freeze(items);
}

export function isTuple(v: unknown): v is readonly unknown[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

/** Python 2 module names that protocol-2 pickles use for the same objects (fix_imports). */
const PY2_MODULES: Readonly<Record<string, string>> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

function latin1Bytes(s: string, where: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new CheckpointError(`${where}: _codecs.encode(..., 'latin1') got a character beyond latin1 (U+${c.toString(16)})`);
    out[i] = c;
  }
  return out;
}

function encodeString(args: readonly unknown[], where: string): Uint8Array {
  const [text, encoding = 'utf-8'] = args;
  if (typeof text !== 'string' || typeof encoding !== 'string') throw new CheckpointError(`${where}: _codecs.encode expects (str, encoding)`);
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
      if (!Array.isArray(pair) || pair.length !== 2) throw new CheckpointError(`${where}: OrderedDict expects (key, value) pairs`);
      out.set(pair[0], pair[1]);
    }
    return out;
  }
  throw new CheckpointError(`${where}: OrderedDict expects a list of pairs`);
}

/** The globals any checkpoint may use, whatever framework wrote it. */
function safeGlobal(module: string, name: string, where: string): unknown {
  const qualified = `${module}.${name}`;
  switch (qualified) {
    case 'collections.OrderedDict':
      return new PyCallable(qualified, (args) => toMap(args, where));
    case 'builtins.set':
    case 'builtins.frozenset':
      return new PyCallable(qualified, (args) => toSet(args, qualified, where));
    case 'builtins.bytearray':
      return new PyCallable(qualified, (args) =>
        args.length === 0 ? new Uint8Array(0) : args[0] instanceof Uint8Array ? args[0].slice() : encodeString(args, where),
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

const OPCODE_NAMES: Readonly<Record<number, string>> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT',
  0x4a: 'BININT', 0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID',
  0x51: 'BINPERSID', 0x52: 'REDUCE', 0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING',
  0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND', 0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT',
  0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET', 0x69: 'INST', 0x6a: 'LONG_BINGET',
  0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT', 0x72: 'LONG_BINPUT',
  0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1',
  0x86: 'TUPLE2', 0x87: 'TUPLE3', 0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4',
  0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8',
  0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX',
  0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER',
  0x98: 'READONLY_BUFFER',
};

/** Decodes a little-endian two's-complement integer (LONG1/LONG4) to number or bigint. */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return normalizeInt(v);
}

function normalizeInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function describe(v: unknown): string {
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

/**
 * Rebuilds the object a pickle describes, or throws naming `options.where`, the opcode and
 * the byte offset. Refused globals throw UnpickleRefusedError naming module and name.
 */
export function unpickle(data: Uint8Array, options: UnpickleOptions): unknown {
  const { where } = options;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  let opStart = 0;
  let opName = '';
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();
  const utf8 = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');

  const fail = (message: string): never => {
    throw new CheckpointError(`${where}: ${message} (${opName} at byte ${opStart})`);
  };
  const need = (n: number): number => {
    if (n < 0 || pos + n > data.byteLength) {
      fail(`the pickle ends in the middle of an opcode (needs ${n} bytes at byte ${pos}, has ${data.byteLength}); the record is truncated`);
    }
    const at = pos;
    pos += n;
    return at;
  };
  const bytes = (n: number): Uint8Array => {
    const at = need(n);
    return data.subarray(at, at + n);
  };
  const u8 = (): number => data[need(1)];
  const u16 = (): number => view.getUint16(need(2), true);
  const u32 = (): number => view.getUint32(need(4), true);
  const u64 = (): number => {
    const at = need(8);
    const hi = view.getUint32(at + 4, true);
    if (hi >= 0x200000) fail('a length beyond 2^53');
    return hi * 4294967296 + view.getUint32(at, true);
  };
  const line = (): string => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) fail('a text argument without its newline; the record is truncated');
    const s = latin1.decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  // A function, not `stack.push(...)` inline: MARK ops replace `stack` while their argument is evaluated.
  const push = (v: unknown): void => {
    stack.push(v);
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('the stack is empty');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('the stack is empty');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const previous = metastack.pop();
    if (!previous) fail('no MARK to pop back to');
    stack = previous as unknown[];
    return items;
  };
  const resolveGlobal = (rawModule: string, name: string): unknown => {
    const module = PY2_MODULES[rawModule] ?? rawModule;
    const value = options.globals?.(module, name) ?? safeGlobal(module, name, where);
    if (value === undefined) {
      throw new UnpickleRefusedError(
        `${where} refers to ${rawModule}.${name}, which a checkpoint never needs; refusing to load (nothing was executed)`,
        rawModule,
        name,
      );
    }
    return value;
  };
  const callable = (fn: unknown, how: string): PyCallable => {
    if (!(fn instanceof PyCallable)) fail(`${how} on ${describe(fn)}, which cannot be called`);
    return fn as PyCallable;
  };
  const asList = (v: unknown, how: string): unknown[] => {
    if (!Array.isArray(v) || Object.isFrozen(v)) fail(`${how} on ${describe(v)} (expected a list)`);
    return v as unknown[];
  };
  const asDict = (v: unknown, how: string): Map<unknown, unknown> => {
    if (!(v instanceof Map)) fail(`${how} on ${describe(v)} (expected a dict)`);
    return v as Map<unknown, unknown>;
  };
  const asSet = (v: unknown, how: string): Set<unknown> => {
    if (!(v instanceof Set)) fail(`${how} on ${describe(v)} (expected a set)`);
    return v as Set<unknown>;
  };
  const persistent = (pid: unknown): unknown => {
    if (!options.persistentLoad) fail('a persistent id, but this pickle is not expected to have any');
    return options.persistentLoad!(pid);
  };
  const memoGet = (index: number): unknown => {
    if (!memo.has(index)) fail(`memo entry ${index} was never stored`);
    return memo.get(index);
  };
  const memoPut = (index: number): void => {
    memo.set(index, top());
  };
  const parseTextInt = (text: string): number | bigint => {
    const t = text.endsWith('L') ? text.slice(0, -1) : text;
    if (!/^[+-]?\d+$/.test(t)) fail(`'${text}' is not an integer`);
    return normalizeInt(BigInt(t));
  };

  for (;;) {
    opStart = pos;
    const op = u8();
    opName = OPCODE_NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`;
    switch (op) {
      case 0x80: {
        const protocol = u8();
        if (protocol > 5) fail(`pickle protocol ${protocol}, newer than the 5 this reader knows`);
        break;
      }
      case 0x95: // FRAME: framing only helps streaming readers; the whole record is in memory.
        u64();
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x30:
        pop();
        break;
      case 0x31:
        popMark();
        break;
      case 0x32:
        push(top());
        break;
      case 0x4e:
        push(null);
        break;
      case 0x88:
        push(true);
        break;
      case 0x89:
        push(false);
        break;
      case 0x49: {
        const text = line();
        push(text === '01' ? true : text === '00' ? false : parseTextInt(text));
        break;
      }
      case 0x4a:
        push(view.getInt32(need(4), true));
        break;
      case 0x4b:
        push(u8());
        break;
      case 0x4d:
        push(u16());
        break;
      case 0x4c:
        push(parseTextInt(line()));
        break;
      case 0x8a:
        push(decodeLong(bytes(u8())));
        break;
      case 0x8b: {
        const n = view.getInt32(need(4), true);
        if (n < 0) fail('a negative length');
        push(decodeLong(bytes(n)));
        break;
      }
      case 0x46: {
        const text = line();
        const v = Number(text);
        if (Number.isNaN(v) && !/^[+-]?nan$/i.test(text)) fail(`'${text}' is not a float`);
        push(v);
        break;
      }
      case 0x47:
        push(view.getFloat64(need(8), false));
        break;
      case 0x53: {
        // Python 2 str literal, quoted; only simple quoting is accepted (no escape processing beyond quotes).
        const text = line();
        const q = text[0];
        if ((q !== "'" && q !== '"') || text.length < 2 || text[text.length - 1] !== q) fail('a STRING argument that is not quoted');
        push(text.slice(1, -1));
        break;
      }
      case 0x54: {
        const n = view.getInt32(need(4), true);
        if (n < 0) fail('a negative length');
        push(utf8.decode(bytes(n)));
        break;
      }
      case 0x55:
        push(utf8.decode(bytes(u8())));
        break;
      case 0x56: // UNICODE: raw-unicode-escape text; checkpoints only put ASCII here.
        push(line().replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
        break;
      case 0x58:
        push(utf8.decode(bytes(u32())));
        break;
      case 0x8c:
        push(utf8.decode(bytes(u8())));
        break;
      case 0x8d:
        push(utf8.decode(bytes(u64())));
        break;
      case 0x42:
        push(bytes(u32()).slice());
        break;
      case 0x43:
        push(bytes(u8()).slice());
        break;
      case 0x8e:
        push(bytes(u64()).slice());
        break;
      case 0x96:
        push(bytes(u64()).slice());
        break;
      case 0x97:
      case 0x98:
        fail('out-of-band buffers (pickle protocol 5), which torch.save never writes');
        break;
      case 0x5d:
        push([]);
        break;
      case 0x6c:
        push(popMark());
        break;
      case 0x61: {
        const v = pop();
        asList(top(), 'APPEND').push(v);
        break;
      }
      case 0x65: {
        const items = popMark();
        const list = asList(top(), 'APPENDS');
        for (const v of items) list.push(v);
        break;
      }
      case 0x29:
        push(tuple([]));
        break;
      case 0x74:
        push(tuple(popMark()));
        break;
      case 0x85:
        push(tuple([pop()]));
        break;
      case 0x86: {
        const b = pop();
        const a = pop();
        push(tuple([a, b]));
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        push(tuple([a, b, c]));
        break;
      }
      case 0x7d:
        push(new Map());
        break;
      case 0x64: {
        const items = popMark();
        if (items.length % 2) fail('an odd number of items for a dict');
        const d = new Map<unknown, unknown>();
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        push(d);
        break;
      }
      case 0x73: {
        const v = pop();
        const k = pop();
        asDict(top(), 'SETITEM').set(k, v);
        break;
      }
      case 0x75: {
        const items = popMark();
        if (items.length % 2) fail('an odd number of items for a dict');
        const d = asDict(top(), 'SETITEMS');
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        break;
      }
      case 0x8f:
        push(new Set());
        break;
      case 0x90: {
        const items = popMark();
        const s = asSet(top(), 'ADDITEMS');
        for (const v of items) s.add(v);
        break;
      }
      case 0x91:
        push(new Set(popMark()));
        break;
      case 0x63: {
        const module = line();
        const name = line();
        push(resolveGlobal(module, name));
        break;
      }
      case 0x93: {
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL with a module or name that is not a string');
        push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x82:
      case 0x83:
      case 0x84:
        fail('a copyreg extension code, which checkpoints never use');
        break;
      case 0x52: {
        const args = pop();
        const fn = callable(pop(), 'REDUCE');
        if (!isTuple(args)) fail(`REDUCE of ${fn.qualifiedName} with arguments that are not a tuple`);
        push(fn.call(args as readonly unknown[]));
        break;
      }
      case 0x81: {
        const args = pop();
        const cls = callable(pop(), 'NEWOBJ');
        if (!isTuple(args)) fail(`NEWOBJ of ${cls.qualifiedName} with arguments that are not a tuple`);
        push(cls.call(args as readonly unknown[]));
        break;
      }
      case 0x92: {
        const kwargs = asDict(pop(), 'NEWOBJ_EX');
        const args = pop();
        const cls = callable(pop(), 'NEWOBJ_EX');
        if (!isTuple(args)) fail(`NEWOBJ_EX of ${cls.qualifiedName} with arguments that are not a tuple`);
        push(cls.call(args as readonly unknown[], kwargs));
        break;
      }
      case 0x69: {
        const cls = callable(resolveGlobal(line(), line()), 'INST');
        push(cls.call(tuple(popMark())));
        break;
      }
      case 0x6f: {
        const items = popMark();
        const cls = callable(items[0], 'OBJ');
        push(cls.call(tuple(items.slice(1))));
        break;
      }
      case 0x62: {
        const state = pop();
        const obj = top();
        if (obj instanceof PyObject) {
          obj.state = state;
        } else if (obj instanceof Map) {
          // An OrderedDict subclass's instance attributes, e.g. the `_metadata` that
          // state_dict() attaches (module versions); loading weights never needs them.
        } else {
          fail(`BUILD on ${describe(obj)}, which has no state to set`);
        }
        break;
      }
      case 0x50:
        push(persistent(line()));
        break;
      case 0x51:
        push(persistent(pop()));
        break;
      case 0x67:
        push(memoGet(Number(parseTextInt(line()))));
        break;
      case 0x68:
        push(memoGet(u8()));
        break;
      case 0x6a:
        push(memoGet(u32()));
        break;
      case 0x70:
        memoPut(Number(parseTextInt(line())));
        break;
      case 0x71:
        memoPut(u8());
        break;
      case 0x72:
        memoPut(u32());
        break;
      case 0x94:
        memoPut(memo.size);
        break;
      default:
        throw new CheckpointError(`${where}: unknown pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${opStart}; not a pickle this reader understands`);
    }
  }
}
