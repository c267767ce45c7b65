// src/trace/xlat.gen.ts and strerror.gen.ts are what scripts/gen-trace-xlat.mjs
// writes from data/ (committed, so the build and the tests need no strace,
// no compilers and nothing outside the repository).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OUTPUTS, XLAT_FILES } from '../scripts/gen-trace-xlat.mjs';
import { flags, openModes, table, xval } from '../src/trace/xlat.js';

const ROOT = new URL('..', import.meta.url).pathname;

describe('generated xlat and strerror tables', () => {
  it.each(Object.entries(OUTPUTS))('%s matches the generator', (file, gen) => {
    expect(readFileSync(ROOT + file, 'utf8')).toBe(gen());
  });

  it('data/strace/xlat holds exactly the strace tables the generator names', () => {
    const copied = readdirSync(ROOT + 'data/strace/xlat').filter((f) => f.endsWith('.in')).map((f) => f.slice(0, -3)).sort();
    expect(copied).toEqual([...XLAT_FILES].sort());
  });

  it('holds per-architecture values where strace\'s tables differ (MAP_32BIT is x86 only)', () => {
    expect(table('x86_64', 'mmap_flags').find(([n]) => n === 'MAP_32BIT')?.[1]).toBe(0x40n);
    expect(table('riscv64', 'mmap_flags').find(([n]) => n === 'MAP_32BIT')).toBeUndefined();
    expect(table('riscv64', 'sigact_flags').find(([n]) => n === 'SA_RESTORER')).toBeUndefined();
  });

  it('renders flags and constants as strace: names in table order, the rest in hex, 0 by its name or as 0', () => {
    expect(openModes('x86_64', 0x40000000n)).toBe('O_RDONLY|0x40000000');
    expect(openModes('riscv64', 0o2000000n | 0o100n | 2n)).toBe('O_RDWR|O_CREAT|O_CLOEXEC');
    expect(openModes('x86_64', 0o4010000n)).toBe('O_RDONLY|O_SYNC');
    expect(flags(table('x86_64', 'mmap_prot'), 0n, 'PROT_???')).toBe('PROT_NONE');
    expect(flags(table('x86_64', 'getrandom_flags'), 0n, 'GRND_???')).toBe('0');
    expect(flags(table('x86_64', 'getrandom_flags'), 8n, 'GRND_???')).toBe('0x8 /* GRND_??? */');
    expect(flags(table('x86_64', 'getrandom_flags'), 9n, 'GRND_???')).toBe('GRND_NONBLOCK|0x8');
    expect(xval(table('x86_64', 'whence_codes'), 7n, 'SEEK_???')).toBe('0x7 /* SEEK_??? */');
    expect(xval(table('riscv64', 'clocknames'), 1n, 'CLOCK_???')).toBe('CLOCK_MONOTONIC');
  });
});
