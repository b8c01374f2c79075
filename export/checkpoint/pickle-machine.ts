/**
 * The state of one unpickling: the bytes and read position, the stack with its mark stack, the
 * memo, and the small operations every opcode is built from. Every failure is a CheckpointError
 * naming the record, the opcode and its byte offset.
 */
import { CheckpointError } from '../../src/core/bytes/checkpoint-error.ts';
import { opcodeName } from './pickle-opcodes.ts';
import { PY2_MODULES, safeGlobal } from './pickle-safe-globals.ts';
import { PyCallable, UnpickleRefusedError, describeValue, type GlobalResolver } from './pickle-values.ts';

export interface UnpickleOptions {
  /** Prefix of every message: the file and the record, e.g. "model.pt: archive/data.pkl". */
  readonly where: string;
  /** Globals beyond the built-in safe set (torch rebuild functions, storage classes). */
  readonly globals?: GlobalResolver;
  /** Resolves persistent ids (torch storages); without it a persistent id is an error. */
  readonly persistentLoad?: (pid: unknown) => unknown;
}

const MAX_INT_DIGITS = 4300;
/**
 * Values one pickle may build (about 100 bytes of heap each). A checkpoint's data.pkl builds
 * about 25 per tensor (12 429 for the clip-224 fixture's 482 storages, trainer extras included),
 * so this is room for 150 000 tensors; two bytes of opcodes build a value, so without a bound a
 * pickle within MAX_PICKLE_BYTES could fill gigabytes of heap with empty dicts.
 */
export const MAX_PICKLE_VALUES = 4_000_000;

export class PickleMachine {
  pos = 0;
  /** Where the current opcode started, for messages. */
  opStart = 0;
  opcode = 0;
  stack: unknown[] = [];
  readonly metastack: unknown[][] = [];
  readonly memo = new Map<number, unknown>();
  /** Set by STOP. */
  stopped = false;
  result: unknown = undefined;
  readonly utf8 = new TextDecoder('utf-8');
  private readonly latin1 = new TextDecoder('latin1');
  private readonly view: DataView;

  constructor(
    readonly data: Uint8Array,
    readonly options: UnpickleOptions,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get where(): string {
    return this.options.where;
  }

  fail(message: string): never {
    throw new CheckpointError(`${this.where}: ${message} (${opcodeName(this.opcode)} at byte ${this.opStart})`);
  }

  /** Reserves `n` bytes of argument and returns where they start. */
  need(n: number): number {
    if (n < 0 || this.pos + n > this.data.byteLength) {
      this.fail(
        `the pickle ends in the middle of an opcode (needs ${n} bytes at byte ${this.pos}, ` +
          `has ${this.data.byteLength}); the record is truncated`,
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  bytes(n: number): Uint8Array {
    const at = this.need(n);
    return this.data.subarray(at, at + n);
  }

  u8(): number {
    return this.data[this.need(1)];
  }

  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }

  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }

  i32(): number {
    return this.view.getInt32(this.need(4), true);
  }

  /** A non-negative 4-byte signed length (BINSTRING, LONG4). */
  length32(): number {
    const n = this.i32();
    if (n < 0) this.fail('a negative length');
    return n;
  }

  u64(): number {
    const at = this.need(8);
    const hi = this.view.getUint32(at + 4, true);
    if (hi >= 0x200000) this.fail('a length beyond 2^53');
    return hi * 4294967296 + this.view.getUint32(at, true);
  }

  f64BigEndian(): number {
    return this.view.getFloat64(this.need(8), false);
  }

  /** A newline-terminated text argument (protocol 0 opcodes). */
  line(): string {
    const end = this.data.indexOf(0x0a, this.pos);
    if (end < 0) this.fail('a text argument without its newline; the record is truncated');
    const s = this.latin1.decode(this.data.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  /** Values pushed so far: every value the pickle builds is pushed first, so this bounds its memory. */
  pushed = 0;

  // `stack` is replaced while MARK-delimited items are collected, so push through the field.
  push(v: unknown): void {
    if (++this.pushed > MAX_PICKLE_VALUES) {
      this.fail(
        `more than ${MAX_PICKLE_VALUES} values; a checkpoint's pickle builds about 25 per tensor, so this is a damaged or hostile file`,
      );
    }
    this.stack.push(v);
  }

  pop(): unknown {
    if (this.stack.length === 0) this.fail('the stack is empty');
    return this.stack.pop();
  }

  top(): unknown {
    if (this.stack.length === 0) this.fail('the stack is empty');
    return this.stack[this.stack.length - 1];
  }

  mark(): void {
    this.metastack.push(this.stack);
    this.stack = [];
  }

  /** The items pushed since the last MARK, restoring the stack below it. */
  popMark(): unknown[] {
    const items = this.stack;
    const previous = this.metastack.pop();
    if (!previous) this.fail('no MARK to pop back to');
    this.stack = previous;
    return items;
  }

  resolveGlobal(rawModule: string, name: string): unknown {
    const module = PY2_MODULES[rawModule] ?? rawModule;
    const value = this.options.globals?.(module, name) ?? safeGlobal(module, name, this.where);
    if (value === undefined) {
      throw new UnpickleRefusedError(
        `${this.where} refers to ${rawModule}.${name}, which a checkpoint never needs; refusing to load (nothing was executed)`,
        rawModule,
        name,
      );
    }
    return value;
  }

  callable(fn: unknown, how: string): PyCallable {
    if (!(fn instanceof PyCallable)) this.fail(`${how} on ${describeValue(fn)}, which cannot be called`);
    return fn;
  }

  asList(v: unknown, how: string): unknown[] {
    if (!Array.isArray(v) || Object.isFrozen(v)) this.fail(`${how} on ${describeValue(v)} (expected a list)`);
    return v;
  }

  asDict(v: unknown, how: string): Map<unknown, unknown> {
    if (!(v instanceof Map)) this.fail(`${how} on ${describeValue(v)} (expected a dict)`);
    return v;
  }

  asSet(v: unknown, how: string): Set<unknown> {
    if (!(v instanceof Set)) this.fail(`${how} on ${describeValue(v)} (expected a set)`);
    return v;
  }

  persistent(pid: unknown): unknown {
    if (!this.options.persistentLoad) this.fail('a persistent id, but this pickle is not expected to have any');
    return this.options.persistentLoad(pid);
  }

  memoGet(index: number): unknown {
    if (!this.memo.has(index)) this.fail(`memo entry ${index} was never stored`);
    return this.memo.get(index);
  }

  memoPut(index: number): void {
    this.memo.set(index, this.top());
  }

  parseTextInt(text: string): number | bigint {
    const t = text.endsWith('L') ? text.slice(0, -1) : text;
    // CPython itself refuses to convert longer decimal texts (sys.int_info.default_max_str_digits);
    // parsing is superlinear, so a hostile file could otherwise stall the reader.
    if (t.length > MAX_INT_DIGITS + 1)
      this.fail(`an integer of ${t.length} digits, more than the ${MAX_INT_DIGITS} Python converts from text`);
    if (!/^[+-]?\d+$/.test(t)) this.fail(`'${text}' is not an integer`);
    return normalizeInt(BigInt(t));
  }
}

/** A Python int as a number when it is exactly representable, else a bigint. */
export function normalizeInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
