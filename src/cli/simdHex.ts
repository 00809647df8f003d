// Hex digits for `listen --json` with WebAssembly SIMD: 16 payload bytes become 32 digits in a handful of vector
// instructions, where the JavaScript loop (shared/payload's writeHexAscii) spends one iteration per byte pair.
// Profiled at 1 KB datagrams, the hex was most of what `listen --json` costs beyond a raw dgram receiver
// (writeDatagramJson ~1.8 µs of ~2.4 µs per datagram). Same digits as the shared codec — a unit test compares the
// two on every length up to the largest datagram — so this is a faster path to one encoding, not a second codec.
//
// The module is built here from its instructions (no toolchain, no binary blob in the repository); each step
// says which instruction it is. Where WebAssembly SIMD is missing, writeHexAscii does the work.

import { writeHexAscii } from '../shared/payload';

/** Largest UDP payload (IPv6 jumbograms aside), plus one vector of slack for the last partial block. */
const INPUT_BYTES = 65_536 + 16;
/** Digits are written after the input area, 16-byte aligned. */
const OUTPUT_AT = Math.ceil(INPUT_BYTES / 64) * 64;
/** 4 pages of 64 KiB hold input (64 KiB + 16) and output (128 KiB + 32). */
const MEMORY_PAGES = 4;

/** Writes `bytes` as lowercase hex ASCII into `out` at `offset`; returns the offset after the last digit. */
export type HexWriter = (bytes: Uint8Array, out: Uint8Array, offset: number) => number;

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  validate(binary: Uint8Array): boolean;
  Module: new (binary: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}

/** The SIMD writer when this runtime has WebAssembly SIMD, else the shared JavaScript one. */
export function fastHexWriter(): HexWriter {
  return (cached ??= makeSimdHexWriter() ?? writeHexAscii);
}
let cached: HexWriter | undefined;

/** Exposed for the test that pins the SIMD path to the shared codec; undefined without WebAssembly SIMD. */
export function makeSimdHexWriter(): HexWriter | undefined {
  const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (wasm === undefined) return undefined;
  const binary = hexModule();
  if (!wasm.validate(binary)) return undefined;
  let exports: { hex: (blocks: number) => void; memory: { buffer: ArrayBuffer } };
  try {
    exports = new wasm.Instance(new wasm.Module(binary)).exports as typeof exports;
  } catch {
    return undefined;
  }
  const hex = exports.hex;
  // The memory never grows, so this view stays valid.
  const memory = new Uint8Array(exports.memory.buffer);
  // The digits of the last size written: a flood's datagrams mostly share a size, and a fresh view per datagram
  // was a visible share of the young garbage (and of the scavenges) of `listen --json` at 10⁵ datagrams/s.
  let digits = memory.subarray(OUTPUT_AT, OUTPUT_AT);
  return (bytes, out, offset) => {
    const n = bytes.length;
    if (n < 16) return writeHexAscii(bytes, out, offset); // a call into WebAssembly costs more than 15 bytes
    memory.set(bytes, 0);
    // Whole vectors only: the last one may read up to 15 bytes past the payload (stale input, inside the
    // slack), whose digits are never copied out.
    hex((n + 15) >> 4);
    if (digits.length !== 2 * n) digits = memory.subarray(OUTPUT_AT, OUTPUT_AT + 2 * n);
    out.set(digits, offset);
    return offset + 2 * n;
  };
}

/**
 * The module, in the WebAssembly text format it encodes:
 *
 *   (memory (export "memory") 4)
 *   (func (export "hex") (param $blocks i32) (local $src i32) (local $dst i32) (local $v v128) (local $hi v128) (local $lo v128)
 *     $blocks := $blocks << 4                        ;; now the end of the input, in bytes
 *     $dst := OUTPUT_AT
 *     block loop
 *       br_if 1 ($src >=u $blocks)
 *       $v  := v128.load($src)
 *       $hi := i8x16.swizzle(DIGITS, i8x16.shr_u($v, 4))
 *       $lo := i8x16.swizzle(DIGITS, v128.and($v, 0x0f…))
 *       v128.store($dst,      i8x16.shuffle($hi, $lo, 0 16 1 17 … 7 23))   ;; digits of bytes 0–7, high nibble first
 *       v128.store($dst + 16, i8x16.shuffle($hi, $lo, 8 24 9 25 … 15 31))  ;; digits of bytes 8–15
 *       $src += 16; $dst += 32
 *       br 0
 *     end end)
 */
function hexModule(): Uint8Array {
  const DIGITS = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));
  const LOW_NIBBLES = new Array<number>(16).fill(0x0f);
  const FIRST_HALF = [0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23];
  const SECOND_HALF = FIRST_HALF.map((lane) => lane + 8);
  const [BLOCKS, SRC, DST, V, HI, LO] = [0, 1, 2, 3, 4, 5];
  const simd = (op: number) => [0xfd, ...uleb(op)];
  const memarg = (offset: number) => [0, ...uleb(offset)]; // alignment hint 2^0: any address is fine
  const get = (local: number) => [0x20, local];
  const set = (local: number) => [0x21, local];
  const i32Const = (value: number) => [0x41, ...sleb(value)];
  const v128Const = (lanes: number[]) => [...simd(0x0c), ...lanes];
  const [v128Load, v128Store, shuffle, swizzle, v128And, shrU] = [0x00, 0x0b, 0x0d, 0x0e, 0x4e, 0x6d];
  const [i32Shl, i32Add, i32GeU, block, loop, br, brIf, end, voidType] = [0x74, 0x6a, 0x4f, 0x02, 0x03, 0x0c, 0x0d, 0x0b, 0x40];
  const body = [
    ...get(BLOCKS), ...i32Const(4), i32Shl, ...set(BLOCKS),
    ...i32Const(OUTPUT_AT), ...set(DST),
    block, voidType, loop, voidType,
    ...get(SRC), ...get(BLOCKS), i32GeU, brIf, 1,
    ...get(SRC), ...simd(v128Load), ...memarg(0), ...set(V),
    ...v128Const(DIGITS), ...get(V), ...i32Const(4), ...simd(shrU), ...simd(swizzle), ...set(HI),
    ...v128Const(DIGITS), ...get(V), ...v128Const(LOW_NIBBLES), ...simd(v128And), ...simd(swizzle), ...set(LO),
    ...get(DST), ...get(HI), ...get(LO), ...simd(shuffle), ...FIRST_HALF, ...simd(v128Store), ...memarg(0),
    ...get(DST), ...get(HI), ...get(LO), ...simd(shuffle), ...SECOND_HALF, ...simd(v128Store), ...memarg(16),
    ...get(SRC), ...i32Const(16), i32Add, ...set(SRC),
    ...get(DST), ...i32Const(32), i32Add, ...set(DST),
    br, 0,
    end, end,
    end,
  ];
  // Locals after the parameter: 2 × i32 ($src, $dst), 3 × v128 ($v, $hi, $lo).
  const code = [2, 2, 0x7f, 3, 0x7b, ...body];
  const name = (text: string) => [text.length, ...[...text].map((c) => c.charCodeAt(0))];
  const section = (id: number, contents: number[]) => [id, ...uleb(contents.length), ...contents];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, [1, 0x60, 1, 0x7f, 0]), // types: (func (param i32))
    ...section(3, [1, 0]), // functions: one, of type 0
    ...section(5, [1, 0, MEMORY_PAGES]), // memory: min 4 pages, no max
    ...section(7, [2, ...name('hex'), 0x00, 0, ...name('memory'), 0x02, 0]), // exports
    ...section(10, [1, ...uleb(code.length), ...code]), // code
  ]);
}

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}
