// The adversary's programs: every JS shape a program, a list of programs or
// an ABI spec can take. Each is either refused with a SystabError or
// installed as exactly what a plain reading of it says (the reference model
// below, which reads every field once); then table.verify() holds and the
// filter answers what the model's program answers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTable, SystabError } from 'systab';
import { createSeccompEngine, filterBytes, filterInstructions, filterTable, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO } from 'systab/seccomp';
import { abi } from 'systab/abi/linux-x86_64';

const R = (k: number) => ({ code: 0x06, jt: 0, jf: 0, k });
const ALLOW = R(SECCOMP_RET_ALLOW);

function outcome(f: () => unknown): string {
  try {
    f();
    return 'installed';
  } catch (e) {
    if (e instanceof SystabError) return e.code;
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

function onTable(programs: unknown): string {
  const t = createTable({ abi });
  t.load({ name: 'io', handlers: { getpid: () => 42 } });
  const r = outcome(() => filterTable(t, programs as never));
  t.verify();
  return r;
}

describe('programs that are not what they look like', () => {
  it('a hole in a program is not an instruction (it was installed as BPF_LD|BPF_IMM 0)', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(onTable([[, ALLOW]])).toBe('EBADSPEC');
  });
  it('a hole in the list of programs is not a program (a TypeError)', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(onTable([, [ALLOW]])).toBe('EBADSPEC');
  });
  it('a program of 2^31 instructions is the kernel\'s EINVAL, not a RangeError from allocating 16 GiB', () => {
    const huge: unknown[] = [];
    huge.length = 2 ** 31;
    expect(onTable([huge])).toBe('EINVAL');
  });
  it('a Uint8Array whose length getter lies is read through its real length: no other set is written over', () => {
    // 8 bytes said, 32 KiB there: the new set was sized by the getter, and the copy into it (set())
    // wrote every real byte, over the set installed after the hole it was given.
    class Lying extends Uint8Array {
      override get length() {
        return 8;
      }
    }
    const bytes = new Lying(4096 * 8);
    for (let i = 0; i < bytes.byteLength; i += 8) bytes.set(filterBytes([R(SECCOMP_RET_ERRNO | 2)]), i);
    const seccomp = createSeccompEngine();
    const a = seccomp.install([Array.from({ length: 1000 }, () => R(SECCOMP_RET_ERRNO | 1))], { abis: [abi] });
    const b = seccomp.install([[R(SECCOMP_RET_ERRNO | 7)]], { abis: [abi] });
    seccomp.release(a); // a hole before b
    expect(seccomp.evaluate(b, { nr: 0 })).toBe(SECCOMP_RET_ERRNO | 7);
    const c = seccomp.install([bytes], { abis: [abi] });
    expect(seccomp.evaluate(c, { nr: 0 })).toBe(SECCOMP_RET_ERRNO | 2);
    expect(seccomp.evaluate(b, { nr: 0 })).toBe(SECCOMP_RET_ERRNO | 7);
    expect(seccomp.evaluateUncached(b, { nr: 0 })).toBe(SECCOMP_RET_ERRNO | 7);
  });
  it('an ABI spec whose getters change between reads is read once: the set caches what was checked', () => {
    let reads = 0;
    const spec = {
      id: 'linux-x86_64',
      base: 0,
      get count() {
        return reads++ < 4 ? 472 : Number.NaN; // valid for the checks, NaN for the set
      },
    };
    const seccomp = createSeccompEngine();
    const s = seccomp.install([[ALLOW]], { abis: [spec] });
    expect(s.sections[0]!.count).toBe(472);
    expect(seccomp.isConstant(s, 471)).toBe(true);
  });
  it('a hole in options.abis is not an ABI', () => {
    const seccomp = createSeccompEngine();
    // eslint-disable-next-line no-sparse-arrays
    expect(outcome(() => seccomp.install([[ALLOW]], { abis: [abi, , abi] as never }))).toBe('EBADSPEC');
  });
});

describe('filterInstructions() of what is not a program\'s bytes', () => {
  // It was the internal reader: a DataView over whatever came, so a RangeError for 7 or 9 bytes, a
  // TypeError for an array, null or a string, and instructions made up from a Uint16Array's or a DataView's bytes.
  for (const [label, v] of [['7 bytes', new Uint8Array(7)], ['9 bytes', new Uint8Array(9)], ['an array', [1, 2]], ['null', null], ['a string', 'abc'], ['a Uint16Array', new Uint16Array(4)], ['a DataView', new DataView(new ArrayBuffer(8))]] as const) {
    it(`${label}: EBADSPEC`, () => {
      expect(outcome(() => filterInstructions(v as never))).toBe('EBADSPEC');
    });
  }
  it('bytes read back are the instructions written', () => {
    const p = [{ code: 0x20, jt: 0, jf: 0, k: 4 }, { code: 0x15, jt: 1, jf: 2, k: 0xc000003e }, R(SECCOMP_RET_ALLOW)];
    expect(filterInstructions(filterBytes(p))).toEqual(p);
  });
});

/** The reference: a program read once, plainly; undefined where it is not one. */
function model(p: unknown): Uint8Array | undefined {
  if (!Array.isArray(p) || p.length === 0 || p.length > 4096) return undefined;
  const out: number[][] = [];
  for (let i = 0; i < p.length; i++) {
    if (!(i in p)) return undefined;
    const s = p[i] as Record<string, unknown> | null;
    if (s === null || typeof s !== 'object') return undefined;
    const { code, jt, jf, k } = s;
    const u = (v: unknown, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
    if (!u(code, 0xffff) || !u(jt, 0xff) || !u(jf, 0xff) || typeof k !== 'number' || !Number.isInteger(k) || k < -(2 ** 31) || k > 2 ** 32 - 1) return undefined;
    out.push([code as number, jt as number, jf as number, (k as number) >>> 0]);
  }
  return filterBytes(out.map(([code, jt, jf, k]) => ({ code: code!, jt: jt!, jf: jf!, k: k! })));
}

describe('random program shapes (fast-check)', () => {
  const field = fc.oneof(fc.integer({ min: -2, max: 0x10002 }), fc.constantFrom(Number.NaN, Infinity, -0, 0.5, 2 ** 32, -(2 ** 31) - 1, 2 ** 31), fc.anything());
  const insn = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(ALLOW, R(SECCOMP_RET_ERRNO | 1), { code: 0x20, jt: 0, jf: 0, k: 0 }, { code: 0x15, jt: 0, jf: 1, k: 39 }) },
    { weight: 2, arbitrary: fc.record({ code: field, jt: field, jf: field, k: field }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: fc.anything() },
  );
  const program = fc.oneof({ weight: 5, arbitrary: fc.sparseArray(insn, { maxLength: 6, noTrailingHole: false }) }, { weight: 1, arbitrary: fc.anything() });

  it('each is refused with a SystabError, or installed as the model reads it (then verify() holds)', () => {
    fc.assert(
      fc.property(program, (p) => {
        const t = createTable({ abi });
        let f: ReturnType<typeof filterTable> | undefined;
        let got: string;
        try {
          f = filterTable(t, [p as never]);
          got = 'installed';
        } catch (e) {
          got = e instanceof SystabError ? 'refused' : `${(e as Error).constructor.name}: ${(e as Error).message}`;
        }
        t.verify();
        const want = model(p);
        if (want === undefined) return got === 'refused';
        // A well-formed program the kernel's checker may still refuse (EINVAL): then the model's bytes are refused too.
        const plain = outcome(() => createSeccompEngine().install([want], { abis: [abi] }));
        if (plain !== 'installed') return got === 'refused';
        if (got !== 'installed') return false;
        const s = (f as unknown as { filters: { programs: Uint8Array[] } }).filters;
        return Buffer.from(s.programs[0]!).equals(Buffer.from(want));
      }),
      { numRuns: 400 },
    );
  });
});
