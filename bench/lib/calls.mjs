// The workload every suite shares: which calls exist, their handlers, and a
// deterministic mixed sequence of call numbers with arguments. Every
// contender of a suite runs exactly this sequence with exactly these handlers.
import { abi } from 'systab/abi/linux-x86_64';

/** Implemented calls (x86_64 names) with a weight: how often a typical guest makes them. */
export const CALLS = [
  ['read', 14], ['write', 14], ['futex', 9], ['clock_gettime', 9], ['mmap', 6], ['munmap', 4],
  ['mprotect', 3], ['brk', 3], ['openat', 4], ['close', 4], ['fstat', 4], ['newfstatat', 3],
  ['lseek', 3], ['pread64', 2], ['writev', 3], ['ioctl', 2], ['rt_sigaction', 2], ['rt_sigprocmask', 3],
  ['getpid', 2], ['gettid', 2], ['getrandom', 1], ['readlinkat', 1], ['access', 1], ['exit_group', 1],
];

/** Numbers nobody implements: named but unimplemented, unnamed gaps in range, and out of range. */
export const MISSING_NAMED = [abi.names.ptrace, abi.names.mount]; // 101, 165
export const MISSING_GAP = [340, 400]; // inside x86_64's range, no call there
export const MISSING_OOR = [abi.count, 500, 1024, 4095]; // beyond the table
export const MISSING = [...MISSING_NAMED, ...MISSING_GAP, ...MISSING_OOR];
/** Weight of each missing number in the mixed sequence (total ~6% of calls). */
const MISSING_WEIGHT = 1;

export const ENOSYS = abi.enosys;

/** mulberry32: a small deterministic PRNG. */
export function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Constants of handler i: distinct per handler, small enough that every product stays a small integer. */
export function handlerConstants(i) {
  return { mul: 131 + i * 97, shift: 1 + (i % 7), mask: 0xffff };
}

/**
 * One distinct JS function per implemented call (separate source text, so V8
 * treats them as different functions, as an emulator's handlers are).
 * ((a0 * mul + a1) ^ (a2 >>> shift)) & mask, plus a3..a5 folded in.
 */
export function makeJsHandlers() {
  return CALLS.map(([name], i) => {
    const { mul, shift, mask } = handlerConstants(i);
    // eslint-disable-next-line no-new-func
    return new Function('a0', 'a1', 'a2', 'a3', 'a4', 'a5', `// ${name}\nreturn (((a0 * ${mul} + a1) ^ (a2 >>> ${shift})) + (a3 ^ a4 ^ a5)) & ${mask};`);
  });
}

/** The numbers of the implemented calls, in CALLS order. */
export const NUMBERS = CALLS.map(([name]) => {
  const nr = abi.names[name];
  if (nr === undefined) throw new Error(`bench: ${name} is not an x86_64 call`);
  return nr;
});

/**
 * A mixed sequence: `length` calls drawn by weight (implemented and missing),
 * each with six small-integer arguments. Same seed, same sequence.
 * Numbers and arguments sit in Int32Arrays, as an emulator's guest registers
 * do; `plainArrays` gives plain JS arrays instead (holey: V8 then cannot rule
 * out `undefined` in an argument, which every contender pays for differently).
 */
export function mixedSequence(length = 1000, seed = 0x5eed, { missingOnly = false, implementedOnly = false, plainArrays = false } = {}) {
  const rnd = prng(seed);
  const pool = [];
  if (!missingOnly) CALLS.forEach(([, w], i) => { for (let k = 0; k < w; k++) pool.push(NUMBERS[i]); });
  if (!implementedOnly) for (const nr of MISSING) for (let k = 0; k < MISSING_WEIGHT; k++) pool.push(nr);
  const nrs = new Array(length);
  const args = new Array(length * 6);
  for (let i = 0; i < length; i++) {
    nrs[i] = pool[Math.floor(rnd() * pool.length)];
    for (let k = 0; k < 6; k++) args[i * 6 + k] = k === 0 ? Math.floor(rnd() * 64) : Math.floor(rnd() * 65536);
  }
  // Every distinct number appears at least once.
  const want = missingOnly ? MISSING : implementedOnly ? NUMBERS : [...NUMBERS, ...MISSING];
  want.forEach((nr, j) => { if (!nrs.includes(nr)) nrs[(j * 37) % length] = nr; });
  const distinct = new Set(nrs).size;
  if (plainArrays) return { nrs, args, length, distinct };
  return { nrs: Int32Array.from(nrs), args: Int32Array.from(args), length, distinct };
}
