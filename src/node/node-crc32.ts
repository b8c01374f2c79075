/**
 * zlib's CRC-32 for the Node exporter: SIMD-accelerated, ~10× the table-driven one in
 * src/core/bytes/crc32.ts, which checks every byte of a 1.5 GB checkpoint. node:zlib has it
 * from Node 20.15 and 22.2; older Nodes fall back to the portable one.
 */
import * as zlib from 'node:zlib';
import { crc32, type Crc32 } from '../core/bytes/crc32.ts';

type ZlibCrc32 = (data: Uint8Array, value?: number) => number;
const native = (zlib as { crc32?: ZlibCrc32 }).crc32;

export const nodeCrc32: Crc32 = native ? (data, crc = 0) => native(data, crc) : crc32;
