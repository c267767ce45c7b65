// The committed src/trace/*.gen.ts files are exactly what
// scripts/gen-trace-classes.mjs generates from data/strace; data/strace
// holds what it reads; and the decoded classes are strace's own facts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generate, parseTable } from '../scripts/gen-trace-classes.mjs';
import { abiIds } from '../src/abi/list.js';
import { abi as x86_64 } from '../src/abi/linux-x86_64.js';
import { abi as i386 } from '../src/abi/linux-i386.js';
import { abi as x32 } from '../src/abi/linux-x32.js';
import { abi as alpha } from '../src/abi/linux-alpha.js';
import { abi as wasi } from '../src/abi/wasi-preview1.js';
import { callClass, straceAliases, TraceClass as C } from '../src/trace/classes.js';
import { byAbi, common } from '../src/trace/classes.gen.js';
import { callIndex } from '../src/abi/call-index.js';

const root = new URL('../', import.meta.url).pathname;
const { files, sources } = generate();

const walk = (dir: string): string[] =>
  readdirSync(join(root, dir)).flatMap((f) => (statSync(join(root, dir, f)).isDirectory() ? walk(join(dir, f)) : [relative(root, join(root, dir, f))]));

describe('trace classes: generated files', () => {
  it.each(Object.keys(files))('%s is up to date (run node scripts/gen-trace-classes.mjs)', (path) => {
    expect(readFileSync(join(root, path), 'utf8')).toBe(files[path]);
  });

  it('data/strace holds what the generator reads, the inject-syntax test, the licences and SOURCE.md', () => {
    const read = sources.filter((s: string) => s.startsWith('data/strace/'));
    const extra = ['data/strace/COPYING', 'data/strace/LGPL-2.1-or-later', 'data/strace/SOURCE.md', 'data/strace/tests/qual_inject-syntax.test'];
    // data/strace/xlat/ is the line formatter's (its own test checks it: trace-xlat-generated).
    expect(walk('data/strace').filter((f: string) => !f.startsWith('data/strace/xlat/')).sort()).toEqual([...read, ...extra].sort());
  });

  it('has an entry for every ABI id', () => {
    expect(Object.keys(byAbi).sort()).toEqual([...abiIds].sort());
  });

  it('reads strace tables as the C preprocessor does: includes, BASE_NR, #if, the last initializer winning', () => {
    const mips = parseTable('mips/syscallent-o32.h', { LINUX_MIPSO32: 1 }).entries;
    expect(mips.find((e: { name: string }) => e.name === 'read')).toMatchObject({ index: 4003, nargs: 3, flags: 'D' });
    const t32 = (time32: number) => parseTable('32/syscallent.h', { HAVE_ARCH_TIME32_SYSCALLS: time32 }).entries.filter((e: { name: string }) => e.name === 'clock_gettime');
    expect(t32(1).map((e: { index: number }) => e.index)).toEqual([113]);
    expect(t32(0)).toEqual([]);
  });
});

describe("trace classes: strace's facts per ABI", () => {
  it('x86_64', () => {
    expect(callClass(x86_64, 'read')).toEqual({ nargs: 3, classes: C.desc });
    expect(callClass(x86_64, 'openat')).toEqual({ nargs: 4, classes: C.desc | C.file });
    expect(callClass(x86_64, 'stat')).toEqual({ nargs: 2, classes: C.file | C.stat | C.statLike });
    expect(callClass(x86_64, 'getpid')).toEqual({ nargs: 0, classes: C.pure | C.neverFails });
    expect(callClass(x86_64, 'mmap')).toEqual({ nargs: 6, classes: C.desc | C.memory });
    expect(callClass(x86_64, 'pread64').nargs).toBe(4);
    expect(callClass(x86_64, 'uprobe')).toEqual({ nargs: 6, classes: 0 }); // no strace table has it
  });

  it('32-bit and compat ABIs keep their own argument counts and classes', () => {
    expect(callClass(i386, 'pread64').nargs).toBe(5);
    expect(callClass(i386, 'socketcall')).toEqual({ nargs: 2, classes: C.desc });
    expect(callClass(i386, 'mmap').nargs).toBe(1); // old_mmap: one pointer to the arguments
    expect(callClass(x32, 'rt_sigaction').classes).toBe(C.signal);
    expect(callClass(alpha, 'getpid').classes & C.pure).toBe(C.pure);
  });

  it("names strace spells otherwise are aliases of the ABI's", () => {
    expect([...straceAliases('linux-arc')]).toEqual([['_llseek', 'llseek']]);
    expect([...straceAliases('linux-x86_64')]).toEqual([]);
  });

  it('WASI: the documented rule from the witx names; nargs the lowered core parameters', () => {
    expect(callClass(wasi, 'fd_write')).toEqual({ nargs: 4, classes: C.desc });
    expect(callClass(wasi, 'path_open')).toEqual({ nargs: 9, classes: C.desc | C.file });
    expect(callClass(wasi, 'path_filestat_get').classes).toBe(C.desc | C.file | C.fstat | C.statLike);
    expect(callClass(wasi, 'fd_filestat_get').classes).toBe(C.desc | C.fstat | C.statLike);
    expect(callClass(wasi, 'sock_recv').classes).toBe(C.network);
    expect(callClass(wasi, 'proc_raise').classes).toBe(C.process | C.signal);
    expect(callClass(wasi, 'clock_time_get')).toEqual({ nargs: 3, classes: C.clock });
    expect(callClass(wasi, 'poll_oneoff').classes).toBe(C.desc);
    expect(callClass(wasi, 'args_get').classes).toBe(0);
    expect(callClass(wasi, 'random_get').classes).toBe(0);
  });

  it('every call of every generated ABI has a value from strace but these, which no strace table names', () => {
    const codes = common.split(',');
    const known = new Set(callIndex.slice(callIndex.indexOf('|') + 1).split(',').map((e) => e.split(':')[0]!).filter((_, i) => codes[i] !== ''));
    const orphans = new Set<string>();
    for (const id of abiIds) {
      if (id === 'wasi-preview1') continue;
      const text = readFileSync(join(root, `src/abi/${id}.ts`), 'utf8');
      const block = text.slice(text.indexOf('  names: {'), text.indexOf('\n  },', text.indexOf('  names: {')));
      for (const m of block.matchAll(/^ {4}'?(\w+)'?: /gm)) if (!known.has(m[1]!)) orphans.add(m[1]!);
    }
    expect([...orphans].sort()).toEqual(['riscv_hwprobe', 'uprobe']);
    expect(callClass(x86_64, 'uprobe')).toEqual({ nargs: 6, classes: 0 });
  });
});
