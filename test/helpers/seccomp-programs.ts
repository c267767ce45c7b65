// Program generators for the seccomp tests (fast-check arbitraries) and
// small helpers to write instructions.
import fc from 'fast-check';

export const ins = (code: number, jt: number, jf: number, k: number): number[] => [code, jt, jf, k >>> 0];

/** Instructions as the kernel's struct sock_filter bytes. */
export function bytesOf(prog: readonly number[][]): Uint8Array {
  const b = new Uint8Array(prog.length * 8);
  const v = new DataView(b.buffer);
  prog.forEach(([code, jt, jf, k], i) => {
    v.setUint16(i * 8, code!, true);
    v.setUint8(i * 8 + 2, jt!);
    v.setUint8(i * 8 + 3, jf!);
    v.setUint32(i * 8 + 4, k!, true);
  });
  return b;
}

export const ALLOW = 0x7fff0000;
export const ERRNO = 0x00050000;
// A program that returns `action` for everything, `n` instructions long.
export function constant(action: number, n = 1): Uint8Array {
  return bytesOf([...Array.from({ length: n - 1 }, () => ins(0x00, 0, 0, 0)), ins(0x06, 0, 0, action)]);
}

const SECCOMP_CODES = [
  0x20, 0x80, 0x81, 0x06, 0x16, 0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x54, 0x5c, 0x44, 0x4c, 0xa4, 0xac, 0x64, 0x6c, 0x74, 0x7c, 0x84,
  0x00, 0x01, 0x07, 0x87, 0x60, 0x61, 0x02, 0x03, 0x05, 0x15, 0x1d, 0x35, 0x3d, 0x25, 0x2d, 0x45, 0x4d,
];
// Classic BPF that seccomp refuses (MOD, packet loads, MSH) and opcodes that are nothing.
const OTHER_CODES = [0x94, 0x9c, 0x28, 0x30, 0x40, 0x48, 0x50, 0xb1, 0x0e, 0x26, 0x08, 0x09, 0xff, 0x100, 0x8005, 0x1006];

/** Returns the palette: every action, data that shows which path ran. */
// Kills are rare: each one costs the kernel test a new child process.
export const arbAction = fc.oneof(
  { arbitrary: fc.constantFrom(ALLOW, 0x7ffc0000, 0x7ff00000 | 7, 0x7fc00000, 0x7fff0009), weight: 3 },
  { arbitrary: fc.constantFrom(0x80000000, 0x00000000, 0x12340000), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 0xffff }).map((d) => (ERRNO | d) >>> 0), weight: 20 },
  { arbitrary: fc.integer({ min: 0, max: 0xffff }).map((d) => (0x00030000 | d) >>> 0), weight: 3 },
);

const arbK = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 4, 8, 12, 15, 16, 20, 31, 32, 60, 63, 64, 0x7fffffff, 0xffffffff, 0xfffff000, 24, 39, 102, 110, 111, 186),
  fc.nat({ max: 0xffffffff }),
);

/** Any instruction, most of them seccomp's, some of them not. */
export const arbInsn = fc.tuple(
  fc.oneof({ arbitrary: fc.constantFrom(...SECCOMP_CODES), weight: 8 }, { arbitrary: fc.constantFrom(...OTHER_CODES), weight: 1 }, { arbitrary: fc.nat({ max: 0xffff }), weight: 1 }),
  fc.oneof(fc.nat({ max: 6 }), fc.nat({ max: 255 })),
  fc.oneof(fc.nat({ max: 6 }), fc.nat({ max: 255 })),
  arbK,
).map(([c, jt, jf, k]) => [c, jt, jf, k]);

/** Random programs, valid and not: random instructions, mostly ending in a return. */
export const arbAnyProgram = fc
  .tuple(fc.array(arbInsn, { minLength: 0, maxLength: 14 }), fc.oneof(fc.constant(null), arbAction.map((a) => ins(0x06, 0, 0, a)), fc.constant(ins(0x16, 0, 0, 0))))
  .map(([body, last]) => (last === null ? body : [...body, last]));

/**
 * Programs that are mostly valid, with branches that matter: loads of every
 * seccomp_data word, comparisons with constants that the calls' arguments
 * take, arithmetic, M[] stores before loads, returns from the palette.
 */
export function arbValidProgram(consts: readonly number[]): fc.Arbitrary<number[][]> {
  const kc = fc.oneof(fc.constantFrom(...consts), arbK);
  const step = (left: number): fc.Arbitrary<number[][]> =>
    fc.oneof(
      fc.integer({ min: 0, max: 15 }).map((w) => [ins(0x20, 0, 0, w * 4)]),
      fc.tuple(fc.constantFrom(0x15, 0x25, 0x35, 0x45, 0x1d, 0x2d, 0x3d, 0x4d), fc.nat({ max: Math.min(left, 8) }), fc.nat({ max: Math.min(left, 8) }), kc).map(([c, t, f, k]) => [ins(c, t, f, k)]),
      fc.tuple(fc.constantFrom(0x04, 0x14, 0x24, 0x54, 0x44, 0xa4, 0x0c, 0x1c, 0x2c, 0x5c, 0x4c, 0xac, 0x6c, 0x7c, 0x84), kc).map(([c, k]) => [ins(c, 0, 0, k)]),
      // DIV X, after X = K (a division by X = 0 ends the program with 0: a kill).
      fc.tuple(kc, fc.boolean()).map(([k, set]) => [...(set ? [ins(0x01, 0, 0, k)] : []), ins(0x3c, 0, 0, 0)]),
      fc.tuple(fc.constantFrom(0x34, 0x64, 0x74), fc.integer({ min: 1, max: 31 })).map(([c, k]) => [ins(c, 0, 0, k)]),
      fc.tuple(fc.constantFrom(0x00, 0x01), kc).map(([c, k]) => [ins(c, 0, 0, k)]),
      fc.constantFrom<number[][][]>([ins(0x07, 0, 0, 0)], [ins(0x87, 0, 0, 0)], [ins(0x80, 0, 0, 0)], [ins(0x81, 0, 0, 0)]),
      fc.tuple(fc.nat({ max: 15 }), fc.boolean(), fc.boolean()).map(([m, x, ld]) => [ins(x ? 0x03 : 0x02, 0, 0, m), ...(ld ? [ins(x ? 0x60 : 0x61, 0, 0, m)] : [])]),
      arbAction.map((a) => [ins(0x06, 0, 0, a)]),
      // RET A, mostly with A an action whose data came from the call.
      fc.constantFrom<number[][][]>([ins(0x54, 0, 0, 0xfff), ins(0x44, 0, 0, ERRNO), ins(0x16, 0, 0, 0)], [ins(0x16, 0, 0, 0)], [ins(0x54, 0, 0, 0xffff), ins(0x44, 0, 0, 0x00030000), ins(0x16, 0, 0, 0)]),
      fc.nat({ max: Math.min(left, 4) }).map((k) => [ins(0x05, 0, 0, k)]),
    );
  return fc
    .array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 24 })
    .chain((sizes) => fc.tuple(...sizes.map((_, i) => step(sizes.length - i))))
    .chain((parts) => arbAction.map((a) => [...parts.flat(), ins(0x06, 0, 0, a)]))
    .map((p) => fixJumps(p));
}

/** Clamps jump offsets into the program (so most generated programs pass the checker). */
function fixJumps(p: number[][]): number[][] {
  return p.map(([c, jt, jf, k], i) => {
    const room = p.length - i - 2;
    if (c === 0x05) return [c, 0, 0, Math.min(k!, room)];
    if ((c! & 0x07) === 0x05) return [c!, Math.min(jt!, room), Math.min(jf!, room), k!];
    return [c!, jt!, jf!, k!];
  });
}

/**
 * Guards a program for the kernel child: rt_sigreturn (15) and numbers 200
 * to 0x3fffffff (seccomp, exit_group) are allowed first; x32 numbers and the
 * rest go on to the program, with A = 0 as at the start.
 */
export function guarded(prog: readonly number[][]): number[][] {
  return [ins(0x20, 0, 0, 0), ins(0x15, 3, 0, 15), ins(0x25, 3, 0, 0x3fffffff), ins(0x35, 1, 0, 200), ins(0x05, 0, 0, 1), ins(0x06, 0, 0, ALLOW), ins(0x00, 0, 0, 0), ...prog];
}

/** 64-bit argument values built from the program's constants and edge values. */
export function arbArg(consts: readonly number[]): fc.Arbitrary<bigint> {
  // Mostly the programs' own constants, so that comparisons meet equality.
  const half = consts.length > 0
    ? fc.oneof({ arbitrary: fc.constantFrom(...consts), weight: 4 }, { arbitrary: fc.constantFrom(0, 1, 0xffffffff, 0x80000000), weight: 1 }, { arbitrary: fc.nat({ max: 0xffffffff }), weight: 1 })
    : fc.oneof(fc.constantFrom(0, 1, 0xffffffff, 0x80000000), fc.nat({ max: 0xffffffff }));
  return fc.tuple(half, half).map(([hi, lo]) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}

export function constsOf(prog: readonly number[][]): number[] {
  // The comparisons' constants first (they decide paths), then the rest.
  const jumps = prog.filter((i) => (i[0]! & 0x07) === 0x05 && i[0] !== 0x05).map((i) => i[3]!);
  return [...new Set([...jumps, ...prog.map((i) => i[3]!)])].slice(0, 24);
}
