// Bad programs and bad input to the seccomp engine: the kernel's errno as the
// code, a message naming the filter and instruction, and nothing installed.
import { describe, expect, it } from 'vitest';
import { createSeccompEngine } from '../src/seccomp/engine.js';
import { SystabError } from '../src/errors.js';
import { ALLOW, bytesOf, constant, ins } from './helpers/seccomp-programs.js';

const X86_64 = { id: 'linux-x86_64', base: 0, count: 472 };

function refused(run: () => unknown): SystabError {
  try {
    run();
  } catch (e) {
    if (e instanceof SystabError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('install() refuses as the kernel does, and installs nothing', () => {
  const cases: [string, number[][], string, string][] = [
    ['no instruction', [], 'EINVAL', 'seccomp: filter 0 has 0 instructions; the kernel takes 1 to 4096 (BPF_MAXINSNS)'],
    ['MOD', [ins(0x94, 0, 0, 3), ins(0x06, 0, 0, 0)], 'EINVAL', 'seccomp: filter 0, instruction 0 (code 0x94, jt 0, jf 0, k 3) is classic BPF that seccomp does not run (seccomp loads only words of seccomp_data: BPF_LD | BPF_W | BPF_ABS, and has no BPF_MOD) (the kernel answers EINVAL)'],
    ['unaligned load', [ins(0x20, 0, 0, 6), ins(0x06, 0, 0, 0)], 'EINVAL', 'seccomp: filter 0, instruction 0 (code 0x20, jt 0, jf 0, k 6) loads offset 6; seccomp_data loads are 4-byte aligned and below 64 (the kernel answers EINVAL)'],
    ['jump out', [ins(0x15, 0, 1, 0), ins(0x06, 0, 0, 0)], 'EINVAL', 'seccomp: filter 0, instruction 0 (code 0x15, jt 0, jf 1, k 0) jumps past the end of the program (2 instructions); jumps go forward inside it (the kernel answers EINVAL)'],
    ['unset M[]', [ins(0x60, 0, 0, 4), ins(0x06, 0, 0, 0)], 'EINVAL', 'seccomp: filter 0, instruction 0 (code 0x60, jt 0, jf 0, k 4) reads M[4] on a path that has not stored it (the kernel answers EINVAL)'],
    ['no return', [ins(0x00, 0, 0, 0)], 'EINVAL', 'seccomp: filter 0, instruction 0 (code 0x00, jt 0, jf 0, k 0) is the last and not a return (BPF_RET | BPF_K or BPF_A) (the kernel answers EINVAL)'],
    ['shift', [ins(0x64, 0, 0, 32), ins(0x06, 0, 0, 0)], 'EINVAL', 'seccomp: filter 0, instruction 0 (code 0x64, jt 0, jf 0, k 32) shifts by 32; a constant shift must be below 32 (the kernel answers EINVAL)'],
  ];
  for (const [name, prog, code, message] of cases) {
    it(name, () => {
      const e = createSeccompEngine();
      const good = e.install([constant(ALLOW)], { abis: [X86_64] });
      const before = e.evaluate(good, { nr: 1 });
      const err = refused(() => e.install([constant(ALLOW), bytesOf(prog)], { abis: [X86_64] }));
      expect([err.code, err.message]).toEqual([code, message.replace('filter 0', 'filter 1')]);
      expect(e.evaluate(good, { nr: 1 })).toBe(before);
      // The refused set's memory went back: the same install fits where it would have gone.
      const again = e.install([constant(ALLOW)], { abis: [X86_64] });
      expect(again.at).toBe(good.at + good.bytes);
    });
  }

  it('ENOMEM past the kernel path limit, naming the filter', () => {
    const e = createSeccompEngine();
    const err = refused(() => e.install(Array.from({ length: 8 }, () => constant(ALLOW, 4096)), { abis: [X86_64] }));
    expect([err.code, err.message]).toEqual([
      'ENOMEM',
      "seccomp: filter 7 (4096 instructions, 4100 in the kernel's translation) would make the stack 32828 instructions with the kernel's penalty of 4 per filter below it; the kernel's limit is 32768 (MAX_INSNS_PER_PATH, its errno ENOMEM)",
    ]);
  });

  it('counts the filters below when stacking on an installed set', () => {
    const e = createSeccompEngine();
    const seven = e.install(Array.from({ length: 7 }, () => constant(ALLOW, 4096)), { abis: [X86_64] });
    expect(refused(() => e.install([constant(ALLOW, 4096)], { on: seven })).code).toBe('ENOMEM');
    const eight = e.install([constant(0x00050001, 2)], { on: seven });
    expect(eight.programs.length).toBe(8);
    expect(e.evaluate(eight, { nr: 3 })).toBe(0x00050001);
    expect(e.evaluate(seven, { nr: 3 })).toBe(ALLOW);
  });

  it('EBADSPEC for what is not a program or an ABI', () => {
    const e = createSeccompEngine();
    expect(refused(() => e.install([], { abis: [X86_64] })).message).toBe('seccomp: install() takes a non-empty array of programs (each an array of { code, jt, jf, k } or their bytes)');
    expect(refused(() => e.install([new Uint8Array(7)], { abis: [X86_64] })).message).toBe('seccomp: filter 0 is 7 bytes, not a whole number of 8-byte struct sock_filter instructions');
    expect(refused(() => e.install([[{ code: 6, jt: 0, jf: 0, k: 1.5 }]], { abis: [X86_64] })).message).toBe('seccomp: filter 0, instruction 0 is not { code: u16, jt: u8, jf: u8, k: u32 }');
    expect(refused(() => e.install([constant(ALLOW)])).message).toMatch(/^seccomp: install\(\) needs options.abis/);
    expect(refused(() => e.install([constant(ALLOW)], { abis: [{ id: 'my-abi', base: 0, count: 10 }] })).message).toBe(
      'seccomp: ABI my-abi needs an id, a number range { base, count } and, for an ABI systab does not know, its arch value and byte order ({ arch, bigEndian })',
    );
    const f = e.install([[{ code: 6, jt: 0, jf: 0, k: ALLOW }]], { abis: [X86_64] });
    expect(refused(() => e.evaluate(f, { nr: 1, abi: 'linux-arm64' })).message).toBe('seccomp: the filter set answers for linux-x86_64, not linux-arm64');
    for (const nr of [NaN, 1.5, 2 ** 32, -(2 ** 31) - 1, '1', 1n]) {
      expect(refused(() => e.evaluate(f, { nr: nr as number })).code).toBe('EBADNR');
      expect(refused(() => e.evaluateUncached(f, { nr: nr as number })).code).toBe('EBADNR');
    }
    expect(refused(() => e.evaluate(f, { nr: NaN })).message).toBe('seccomp: call number NaN is not an integer from -2^31 to 2^32 - 1 (seccomp_data.nr is a 32-bit word)');
    expect(e.evaluate(f, { nr: -1 })).toBe(ALLOW);
    expect(refused(() => e.evaluateUncached(f, { nr: 1, args: [0.5] })).message).toBe('seccomp: argument 0.5 is not a 64-bit integer (a number that is an integer, or a BigInt)');
    e.release(f);
    expect(refused(() => e.release(f)).code).toBe('ENOTLOADED');
    expect(refused(() => e.evaluate(f, { nr: 1 })).code).toBe('ENOTLOADED');
  });
});

describe('the engine over a memory it is given', () => {
  it('works in a shared memory, in the region it is given', () => {
    const memory = new WebAssembly.Memory({ initial: 16, maximum: 16, shared: true });
    const e = createSeccompEngine({ memory, base: 4096, bytes: 16 * 65536 - 8192 });
    const f = e.install([bytesOf([ins(0x20, 0, 0, 16), ins(0x15, 0, 1, 9), ins(0x06, 0, 0, 0x00050009), ins(0x06, 0, 0, ALLOW)])], { abis: [X86_64] });
    expect(f.at).toBeGreaterThanOrEqual(4096);
    expect(new Uint8Array(memory.buffer, 0, 4096).every((b) => b === 0)).toBe(true);
    expect(e.evaluate(f, { nr: 1, args: [9] })).toBe(0x00050009);
    expect(e.evaluate(f, { nr: 1, args: [8] })).toBe(ALLOW);
  });

  it('works in an unshared memory with no maximum, and refuses a region that is not one', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const e = createSeccompEngine({ memory, base: 1024 });
    expect(e.evaluate(e.install([constant(0x00050003)], { abis: [X86_64] }), { nr: 0 })).toBe(0x00050003);
    expect(refused(() => createSeccompEngine({ memory, base: 3 })).code).toBe('EBADSPEC');
    expect(refused(() => createSeccompEngine({ memory, bytes: 65537 })).code).toBe('EBADSPEC');
    const small = createSeccompEngine({ memory, bytes: 1024 });
    expect(refused(() => small.install([constant(ALLOW)], { abis: [X86_64] })).code).toBe('EFULL');
  });
});

describe('a program as bytes, for a real kernel', () => {
  it('filterBytes() gives struct sock_filter bytes that read back as the instructions, and refuses what is not a program', async () => {
    const { filterBytes, filterInstructions, SECCOMP_RET_ALLOW } = await import('systab/seccomp');
    const p = [{ code: 0x20, jt: 0, jf: 0, k: 0 }, { code: 0x15, jt: 1, jf: 0, k: 39 }, { code: 0x06, jt: 0, jf: 0, k: 0x00050001 }, { code: 0x06, jt: 0, jf: 0, k: SECCOMP_RET_ALLOW }];
    const b = filterBytes(p);
    expect(b.length).toBe(32);
    expect([...b.slice(8, 16)]).toEqual([0x15, 0, 1, 0, 39, 0, 0, 0]);
    expect(filterInstructions(b)).toEqual(p);
    expect(filterBytes(b)).not.toBe(b); // a copy
    for (const bad of [null, 5, [{ code: 1 }], new Uint8Array(7), [{ code: 0x20, jt: 0, jf: 0, k: 2 ** 32 }]]) expect(() => filterBytes(bad as never)).toThrow(expect.objectContaining({ code: 'EBADSPEC' }));
  });
});
