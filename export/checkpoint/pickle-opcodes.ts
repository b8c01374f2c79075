/**
 * The pickle opcodes, named once (as CPython's Lib/pickle.py names them) for the reader
 * (pickle.ts) and the writer (pickle-writer.ts), grouped by the protocol that introduced them.
 */
export const OP = {
  // Protocol 0 and 1
  MARK: 0x28, // '(' push the mark
  STOP: 0x2e, // '.' end of pickle
  POP: 0x30, // '0'
  POP_MARK: 0x31, // '1' discard the stack down to the mark
  DUP: 0x32, // '2'
  FLOAT: 0x46, // 'F' decimal text float
  INT: 0x49, // 'I' decimal text int (or 01/00 for True/False)
  BININT: 0x4a, // 'J' 4-byte signed int
  BININT1: 0x4b, // 'K' 1-byte unsigned int
  LONG: 0x4c, // 'L' decimal text long
  BININT2: 0x4d, // 'M' 2-byte unsigned int
  NONE: 0x4e, // 'N'
  PERSID: 0x50, // 'P' persistent id as text
  BINPERSID: 0x51, // 'Q' persistent id from the stack
  REDUCE: 0x52, // 'R' call a callable with an argument tuple
  STRING: 0x53, // 'S' quoted text string
  BINSTRING: 0x54, // 'T' 4-byte length string
  SHORT_BINSTRING: 0x55, // 'U' 1-byte length string
  UNICODE: 0x56, // 'V' raw-unicode-escape text
  BINUNICODE: 0x58, // 'X' 4-byte length UTF-8
  EMPTY_LIST: 0x5d, // ']'
  APPEND: 0x61, // 'a'
  BUILD: 0x62, // 'b' set state
  GLOBAL: 0x63, // 'c' module and name as text lines
  DICT: 0x64, // 'd' dict from the items since the mark
  APPENDS: 0x65, // 'e'
  GET: 0x67, // 'g' memo get, text index
  BINGET: 0x68, // 'h' 1-byte index
  INST: 0x69, // 'i' build a class instance
  LONG_BINGET: 0x6a, // 'j' 4-byte index
  LIST: 0x6c, // 'l' list from the items since the mark
  OBJ: 0x6f, // 'o' build a class instance from the stack
  PUT: 0x70, // 'p' memo put, text index
  BINPUT: 0x71, // 'q' 1-byte index
  LONG_BINPUT: 0x72, // 'r' 4-byte index
  SETITEM: 0x73, // 's'
  TUPLE: 0x74, // 't' tuple from the items since the mark
  EMPTY_TUPLE: 0x29, // ')'
  SETITEMS: 0x75, // 'u'
  BINFLOAT: 0x47, // 'G' 8-byte big-endian double
  EMPTY_DICT: 0x7d, // '}'
  // Protocol 2
  PROTO: 0x80,
  NEWOBJ: 0x81,
  EXT1: 0x82,
  EXT2: 0x83,
  EXT4: 0x84,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  LONG1: 0x8a, // 1-byte length little-endian two's complement
  LONG4: 0x8b, // 4-byte length
  // Protocol 3
  BINBYTES: 0x42, // 'B' 4-byte length bytes
  SHORT_BINBYTES: 0x43, // 'C' 1-byte length bytes
  // Protocol 4
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE8: 0x8d,
  BINBYTES8: 0x8e,
  EMPTY_SET: 0x8f,
  ADDITEMS: 0x90,
  FROZENSET: 0x91,
  NEWOBJ_EX: 0x92,
  STACK_GLOBAL: 0x93,
  MEMOIZE: 0x94,
  FRAME: 0x95,
  // Protocol 5
  BYTEARRAY8: 0x96,
  NEXT_BUFFER: 0x97,
  READONLY_BUFFER: 0x98,
} as const;

export type OpcodeName = keyof typeof OP;
export type Opcode = (typeof OP)[OpcodeName];

/** The highest protocol these opcodes cover. */
export const HIGHEST_PROTOCOL = 5;

const NAMES = new Map<number, OpcodeName>(Object.entries(OP).map(([name, code]) => [code, name as OpcodeName]));

/** The opcode's name, or its hex value for a byte that is no opcode. */
export function opcodeName(code: number): string {
  return NAMES.get(code) ?? `0x${code.toString(16).padStart(2, '0')}`;
}
