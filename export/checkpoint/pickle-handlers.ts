/**
 * What each pickle opcode does, grouped by family as pickletools documents them: control and
 * framing, constants and numbers, strings and bytes, containers, globals and object building,
 * persistent ids, the memo. Each handler reads its argument and changes the machine's stack;
 * none executes anything.
 */
import { HIGHEST_PROTOCOL, OP, type Opcode } from './pickle-opcodes.ts';
import { normalizeInt, type PickleMachine } from './pickle-machine.ts';
import { PyObject, describeValue, isTuple, tuple } from './pickle-values.ts';

type Handler = (m: PickleMachine) => void;
type Family = Partial<Record<Opcode, Handler>>;

const control: Family = {
  [OP.PROTO]: (m) => {
    const protocol = m.u8();
    if (protocol > HIGHEST_PROTOCOL)
      m.fail(`pickle protocol ${protocol}, newer than the ${HIGHEST_PROTOCOL} this reader knows`);
  },
  // Framing only helps streaming readers; the whole record is in memory.
  [OP.FRAME]: (m) => void m.u64(),
  [OP.STOP]: (m) => {
    m.result = m.pop();
    m.stopped = true;
  },
  [OP.MARK]: (m) => m.mark(),
  [OP.POP]: (m) => void m.pop(),
  [OP.POP_MARK]: (m) => void m.popMark(),
  [OP.DUP]: (m) => m.push(m.top()),
};

/** 64 KiB of two's complement: far beyond any int a checkpoint stores (steps, sizes, seeds). */
const MAX_LONG_BYTES = 64 * 1024;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * Decodes a little-endian two's-complement integer (LONG1/LONG4) to number or bigint, in time
 * linear in its length: shifting a BigInt byte by byte is quadratic, and a 200 KB LONG4 (a
 * hostile file) took two minutes that way.
 */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  const digits = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) digits[i] = HEX[bytes[bytes.length - 1 - i]];
  let v = BigInt(`0x${digits.join('')}`);
  if (bytes[bytes.length - 1] & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return normalizeInt(v);
}

const numbers: Family = {
  [OP.NONE]: (m) => m.push(null),
  [OP.NEWTRUE]: (m) => m.push(true),
  [OP.NEWFALSE]: (m) => m.push(false),
  [OP.INT]: (m) => {
    const text = m.line();
    m.push(text === '01' ? true : text === '00' ? false : m.parseTextInt(text));
  },
  [OP.BININT]: (m) => m.push(m.i32()),
  [OP.BININT1]: (m) => m.push(m.u8()),
  [OP.BININT2]: (m) => m.push(m.u16()),
  [OP.LONG]: (m) => m.push(m.parseTextInt(m.line())),
  [OP.LONG1]: (m) => m.push(decodeLong(m.bytes(m.u8()))),
  [OP.LONG4]: (m) => {
    const n = m.length32();
    if (n > MAX_LONG_BYTES) m.fail(`an integer of ${n} bytes; no checkpoint holds one beyond ${MAX_LONG_BYTES}`);
    m.push(decodeLong(m.bytes(n)));
  },
  [OP.FLOAT]: (m) => {
    const text = m.line();
    const v = Number(text);
    if (Number.isNaN(v) && !/^[+-]?nan$/i.test(text)) m.fail(`'${text}' is not a float`);
    m.push(v);
  },
  [OP.BINFLOAT]: (m) => m.push(m.f64BigEndian()),
};

const stringsAndBytes: Family = {
  // Python 2 str literal, quoted; only simple quoting is accepted (no escape processing beyond quotes).
  [OP.STRING]: (m) => {
    const text = m.line();
    const q = text[0];
    if ((q !== "'" && q !== '"') || text.length < 2 || text[text.length - 1] !== q)
      m.fail('a STRING argument that is not quoted');
    m.push(text.slice(1, -1));
  },
  [OP.BINSTRING]: (m) => m.push(m.utf8.decode(m.bytes(m.length32()))),
  [OP.SHORT_BINSTRING]: (m) => m.push(m.utf8.decode(m.bytes(m.u8()))),
  // Raw-unicode-escape text; checkpoints only put ASCII here.
  [OP.UNICODE]: (m) =>
    m.push(m.line().replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))),
  [OP.BINUNICODE]: (m) => m.push(m.utf8.decode(m.bytes(m.u32()))),
  [OP.SHORT_BINUNICODE]: (m) => m.push(m.utf8.decode(m.bytes(m.u8()))),
  [OP.BINUNICODE8]: (m) => m.push(m.utf8.decode(m.bytes(m.u64()))),
  [OP.BINBYTES]: (m) => m.push(m.bytes(m.u32()).slice()),
  [OP.SHORT_BINBYTES]: (m) => m.push(m.bytes(m.u8()).slice()),
  [OP.BINBYTES8]: (m) => m.push(m.bytes(m.u64()).slice()),
  [OP.BYTEARRAY8]: (m) => m.push(m.bytes(m.u64()).slice()),
  [OP.NEXT_BUFFER]: (m) => m.fail('out-of-band buffers (pickle protocol 5), which torch.save never writes'),
  [OP.READONLY_BUFFER]: (m) => m.fail('out-of-band buffers (pickle protocol 5), which torch.save never writes'),
};

function dictItems(m: PickleMachine, d: Map<unknown, unknown>, items: unknown[]): void {
  if (items.length % 2) m.fail('an odd number of items for a dict');
  for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
}

const containers: Family = {
  [OP.EMPTY_LIST]: (m) => m.push([]),
  [OP.LIST]: (m) => m.push(m.popMark()),
  [OP.APPEND]: (m) => {
    const v = m.pop();
    m.asList(m.top(), 'APPEND').push(v);
  },
  [OP.APPENDS]: (m) => {
    const items = m.popMark();
    const list = m.asList(m.top(), 'APPENDS');
    for (const v of items) list.push(v);
  },
  [OP.EMPTY_TUPLE]: (m) => m.push(tuple([])),
  [OP.TUPLE]: (m) => m.push(tuple(m.popMark())),
  [OP.TUPLE1]: (m) => m.push(tuple([m.pop()])),
  [OP.TUPLE2]: (m) => {
    const b = m.pop();
    const a = m.pop();
    m.push(tuple([a, b]));
  },
  [OP.TUPLE3]: (m) => {
    const c = m.pop();
    const b = m.pop();
    const a = m.pop();
    m.push(tuple([a, b, c]));
  },
  [OP.EMPTY_DICT]: (m) => m.push(new Map()),
  [OP.DICT]: (m) => {
    const d = new Map<unknown, unknown>();
    dictItems(m, d, m.popMark());
    m.push(d);
  },
  [OP.SETITEM]: (m) => {
    const v = m.pop();
    const k = m.pop();
    m.asDict(m.top(), 'SETITEM').set(k, v);
  },
  [OP.SETITEMS]: (m) => {
    const items = m.popMark();
    dictItems(m, m.asDict(m.top(), 'SETITEMS'), items);
  },
  [OP.EMPTY_SET]: (m) => m.push(new Set()),
  [OP.ADDITEMS]: (m) => {
    const items = m.popMark();
    const s = m.asSet(m.top(), 'ADDITEMS');
    for (const v of items) s.add(v);
  },
  [OP.FROZENSET]: (m) => m.push(new Set(m.popMark())),
};

function argsTuple(m: PickleMachine, args: unknown, how: string, name: string): readonly unknown[] {
  if (!isTuple(args)) m.fail(`${how} of ${name} with arguments that are not a tuple`);
  return args;
}

const objects: Family = {
  [OP.GLOBAL]: (m) => {
    const module = m.line();
    const name = m.line();
    m.push(m.resolveGlobal(module, name));
  },
  [OP.STACK_GLOBAL]: (m) => {
    const name = m.pop();
    const module = m.pop();
    if (typeof module !== 'string' || typeof name !== 'string')
      m.fail('STACK_GLOBAL with a module or name that is not a string');
    m.push(m.resolveGlobal(module as string, name as string));
  },
  [OP.EXT1]: (m) => m.fail('a copyreg extension code, which checkpoints never use'),
  [OP.EXT2]: (m) => m.fail('a copyreg extension code, which checkpoints never use'),
  [OP.EXT4]: (m) => m.fail('a copyreg extension code, which checkpoints never use'),
  [OP.REDUCE]: (m) => {
    const args = m.pop();
    const fn = m.callable(m.pop(), 'REDUCE');
    m.push(fn.call(argsTuple(m, args, 'REDUCE', fn.qualifiedName)));
  },
  [OP.NEWOBJ]: (m) => {
    const args = m.pop();
    const cls = m.callable(m.pop(), 'NEWOBJ');
    m.push(cls.call(argsTuple(m, args, 'NEWOBJ', cls.qualifiedName)));
  },
  [OP.NEWOBJ_EX]: (m) => {
    const kwargs = m.asDict(m.pop(), 'NEWOBJ_EX');
    const args = m.pop();
    const cls = m.callable(m.pop(), 'NEWOBJ_EX');
    m.push(cls.call(argsTuple(m, args, 'NEWOBJ_EX', cls.qualifiedName), kwargs));
  },
  [OP.INST]: (m) => {
    const cls = m.callable(m.resolveGlobal(m.line(), m.line()), 'INST');
    m.push(cls.call(tuple(m.popMark())));
  },
  [OP.OBJ]: (m) => {
    const items = m.popMark();
    const cls = m.callable(items[0], 'OBJ');
    m.push(cls.call(tuple(items.slice(1))));
  },
  [OP.BUILD]: (m) => {
    const state = m.pop();
    const obj = m.top();
    if (obj instanceof PyObject) obj.state = state;
    // An OrderedDict subclass's instance attributes, e.g. the `_metadata` that state_dict()
    // attaches (module versions); loading weights never needs them.
    else if (!(obj instanceof Map)) m.fail(`BUILD on ${describeValue(obj)}, which has no state to set`);
  },
  [OP.PERSID]: (m) => m.push(m.persistent(m.line())),
  [OP.BINPERSID]: (m) => m.push(m.persistent(m.pop())),
};

const memo: Family = {
  [OP.GET]: (m) => m.push(m.memoGet(Number(m.parseTextInt(m.line())))),
  [OP.BINGET]: (m) => m.push(m.memoGet(m.u8())),
  [OP.LONG_BINGET]: (m) => m.push(m.memoGet(m.u32())),
  [OP.PUT]: (m) => m.memoPut(Number(m.parseTextInt(m.line()))),
  [OP.BINPUT]: (m) => m.memoPut(m.u8()),
  [OP.LONG_BINPUT]: (m) => m.memoPut(m.u32()),
  [OP.MEMOIZE]: (m) => m.memoPut(m.memo.size),
};

/** Handler per opcode byte; undefined for bytes that are no opcode. */
export const HANDLERS: readonly (Handler | undefined)[] = (() => {
  const table = new Array<Handler | undefined>(256).fill(undefined);
  for (const family of [control, numbers, stringsAndBytes, containers, objects, memo]) {
    for (const [code, handler] of Object.entries(family)) table[Number(code)] = handler;
  }
  return table;
})();
