/**
 * A small protocol-2 pickle encoder, enough to write the data.pkl of a trainer checkpoint the
 * way Python's pickler does (GLOBAL + memo, BINPERSID, REDUCE, NEWOBJ + BUILD, batched
 * SETITEMS/APPENDS). Used by the test/benchmark checkpoint writer only.
 */
import { OP } from './pickle-opcodes.ts';

/** Marks a Python float whose value is integral (1.0), which a JS number alone cannot say. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A Python tuple (JS arrays encode as lists). */
export class PyTupleValue {
  readonly items: readonly PickleValue[];
  constructor(...items: PickleValue[]) {
    this.items = items;
  }
}

/** Lets a caller emit its own opcodes for a value (tensors, namespaces). */
export class PyCustom {
  constructor(readonly write: (w: PickleWriter) => void) {}
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyFloat
  | PyTupleValue
  | PyCustom
  | readonly PickleValue[]
  | ReadonlyMap<PickleValue, PickleValue>;

/** Python pickles write container items in batches of this many. */
const BATCH = 1000;

export class PickleWriter {
  private chunks: Uint8Array[] = [];
  private current = new Uint8Array(4096);
  private length = 0;
  private readonly globals = new Map<string, number>();
  private nextMemo = 0;

  constructor(protocol = 2) {
    this.byte(OP.PROTO, protocol);
  }

  /** Finishes with STOP and returns the pickle. */
  finish(): Uint8Array {
    this.byte(OP.STOP);
    this.flush();
    const total = this.chunks.reduce((n, c) => n + c.byteLength, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }

  byte(...bytes: number[]): void {
    this.raw(Uint8Array.from(bytes));
  }

  raw(bytes: Uint8Array): void {
    if (this.length + bytes.byteLength > this.current.byteLength) {
      this.flush();
      if (bytes.byteLength > this.current.byteLength) {
        this.chunks.push(bytes.slice());
        return;
      }
    }
    this.current.set(bytes, this.length);
    this.length += bytes.byteLength;
  }

  private flush(): void {
    if (this.length) this.chunks.push(this.current.slice(0, this.length));
    this.length = 0;
  }

  private u32(n: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n, true);
    this.raw(b);
  }

  /** Memoizes the value on top of the stack (BINPUT/LONG_BINPUT) and returns its memo index. */
  put(): number {
    const index = this.nextMemo++;
    if (index < 256) this.byte(OP.BINPUT, index);
    else {
      this.byte(OP.LONG_BINPUT);
      this.u32(index);
    }
    return index;
  }

  get(index: number): void {
    if (index < 256) this.byte(OP.BINGET, index);
    else {
      this.byte(OP.LONG_BINGET);
      this.u32(index);
    }
  }

  /** GLOBAL, memoized so that a repeated global costs one BINGET, as Python writes it. */
  global(module: string, name: string): void {
    const key = `${module}\n${name}`;
    const known = this.globals.get(key);
    if (known !== undefined) return this.get(known);
    this.byte(OP.GLOBAL);
    this.raw(new TextEncoder().encode(`${module}\n${name}\n`));
    this.globals.set(key, this.put());
  }

  mark(): void {
    this.byte(OP.MARK);
  }

  string(s: string): void {
    const utf8 = new TextEncoder().encode(s);
    this.byte(OP.BINUNICODE);
    this.u32(utf8.byteLength);
    this.raw(utf8);
  }

  int(n: number | bigint): void {
    if (typeof n === 'number' && !Number.isSafeInteger(n))
      throw new Error(`pickle writer: ${n} is not an integer (use PyFloat for floats)`);
    const v = BigInt(n);
    if (v >= 0n && v < 256n) return this.byte(OP.BININT1, Number(v));
    if (v >= 0n && v < 65536n) {
      this.byte(OP.BININT2, Number(v & 0xffn), Number(v >> 8n));
      return;
    }
    if (v >= -(2n ** 31n) && v < 2n ** 31n) {
      const b = new Uint8Array(5);
      b[0] = OP.BININT;
      new DataView(b.buffer).setInt32(1, Number(v), true);
      return this.raw(b);
    }
    // LONG1: little-endian two's complement, as short as the sign allows.
    const bytes: number[] = [];
    let rest = v;
    for (;;) {
      bytes.push(Number(rest & 0xffn));
      rest >>= 8n;
      const top = bytes[bytes.length - 1];
      if ((rest === 0n && (top & 0x80) === 0) || (rest === -1n && (top & 0x80) !== 0)) break;
    }
    this.byte(OP.LONG1, bytes.length, ...bytes);
  }

  float(x: number): void {
    const b = new Uint8Array(9);
    b[0] = OP.BINFLOAT;
    new DataView(b.buffer).setFloat64(1, x, false);
    this.raw(b);
  }

  bytes(data: Uint8Array): void {
    // Protocol 2 has no bytes opcode; Python writes _codecs.encode(latin1 text, 'latin1').
    this.global('_codecs', 'encode');
    let text = '';
    for (const b of data) text += String.fromCharCode(b);
    this.string(text);
    this.string('latin1');
    this.byte(OP.TUPLE2, OP.REDUCE);
  }

  /** Writes the items then a tuple opcode of the right arity. */
  tuple(items: readonly PickleValue[]): void {
    if (items.length === 0) return this.byte(OP.EMPTY_TUPLE);
    if (items.length > 3) this.mark();
    for (const v of items) this.value(v);
    this.byte(
      items.length === 1 ? OP.TUPLE1 : items.length === 2 ? OP.TUPLE2 : items.length === 3 ? OP.TUPLE3 : OP.TUPLE,
    );
  }

  /** Items of the dict on top of the stack, in SETITEMS batches. */
  setItems(entries: Iterable<readonly [PickleValue, PickleValue]>): void {
    let n = 0;
    for (const [k, v] of entries) {
      if (n === 0) this.mark();
      this.value(k);
      this.value(v);
      if (++n === BATCH) {
        this.byte(OP.SETITEMS);
        n = 0;
      }
    }
    if (n > 0) this.byte(OP.SETITEMS);
  }

  value(v: PickleValue): void {
    if (v === null) return this.byte(OP.NONE);
    if (typeof v === 'boolean') return this.byte(v ? OP.NEWTRUE : OP.NEWFALSE);
    if (typeof v === 'number') return Number.isInteger(v) ? this.int(v) : this.float(v);
    if (typeof v === 'bigint') return this.int(v);
    if (typeof v === 'string') return this.string(v);
    if (v instanceof Uint8Array) return this.bytes(v);
    if (v instanceof PyFloat) return this.float(v.value);
    if (v instanceof PyTupleValue) return this.tuple(v.items);
    if (v instanceof PyCustom) return v.write(this);
    if (v instanceof Map) {
      this.byte(OP.EMPTY_DICT);
      this.put();
      return this.setItems(v);
    }
    if (Array.isArray(v)) {
      this.byte(OP.EMPTY_LIST);
      this.put();
      for (let i = 0; i < v.length; i += BATCH) {
        this.mark();
        for (const item of v.slice(i, i + BATCH)) this.value(item);
        this.byte(OP.APPENDS);
      }
      return;
    }
    throw new Error(`pickle writer: cannot encode ${String(v)}`);
  }
}
