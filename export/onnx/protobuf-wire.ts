/**
 * The few protobuf wire-format pieces the streaming writer emits by hand: a length-delimited
 * field header (tag + length varint). Everything else is encoded by onnx-proto. Protobuf
 * parsers accept fields in any order and merge repeated ones, which is what lets the writer
 * append large initializers and raw_data after the small parts.
 */

const WIRE_LENGTH_DELIMITED = 2;

/** Bytes of an unsigned varint; exact for any integer below 2^53. */
export function varintSize(value: number): number {
  checkLength(value);
  let size = 1;
  let v = value;
  while (v >= 128) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

export function encodeVarint(value: number): Uint8Array {
  checkLength(value);
  const out = new Uint8Array(varintSize(value));
  let v = value;
  let i = 0;
  while (v >= 128) {
    out[i++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  out[i] = v;
  return out;
}

/** Tag and length prefix of a length-delimited field (a sub-message or bytes) of `length` bytes. */
export function lengthDelimitedHeader(fieldNumber: number, length: number): Uint8Array {
  const tag = encodeVarint(fieldNumber * 8 + WIRE_LENGTH_DELIMITED);
  const len = encodeVarint(length);
  const out = new Uint8Array(tag.length + len.length);
  out.set(tag, 0);
  out.set(len, tag.length);
  return out;
}

/** Total bytes of a length-delimited field whose payload is `length` bytes. */
export function lengthDelimitedSize(fieldNumber: number, length: number): number {
  return varintSize(fieldNumber * 8 + WIRE_LENGTH_DELIMITED) + varintSize(length) + length;
}

function checkLength(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`protobuf varint must be a non-negative safe integer, got ${value}`);
}
