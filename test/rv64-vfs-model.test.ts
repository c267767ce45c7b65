// The in-memory tree against the host kernel: random sequences of name
// operations run through the emulator's own handlers twice, once below /mem
// (the tree) and once below /host (a fresh host directory mounted read-write,
// so node:fs and the kernel decide), and must give the same results and leave
// the same names, types, modes and link targets. Then every handler is fed
// hostile arguments and must answer a number (-errno or a result), never throw.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fuzzParams } from './helpers/fuzz-values.js';

// The emulator's sources are imported at run time: the example type-checks them under its own tsconfig
// (the root's noUncheckedIndexedAccess is not theirs); here they are what this test uses of them.
type Handler = (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => number;
interface Mem { write(at: number, b: Uint8Array): void; dv: DataView; u64(at: number): number; bytes(at: number, n: number): Uint8Array; cstring(at: number): string | null }
interface Process { mem: Mem; fs: { mkdir(p: string): unknown; umask: number; lookup(p: string): unknown }; fds: { set(fd: number, f: object): void } }
const SRC = '../examples/rv64/src/';
const { linuxModules } = (await import(`${SRC}linux/index.js`)) as { linuxModules: (p: Process) => { name: string; handlers: Record<string, Handler> }[] };
const { mountAll } = (await import(`${SRC}linux/mounts.js`)) as { mountAll: (fs: unknown, m: { guest: string; host: string; rw: boolean }[]) => string | undefined };
const { Process: ProcessClass } = (await import(`${SRC}linux/process.js`)) as { Process: new (o: object) => Process };
const { Memory } = (await import(`${SRC}memory.js`)) as { Memory: new (size: number) => Mem };
const { ThreadGroup } = (await import(`${SRC}linux/group.js`)) as { ThreadGroup: { create(pid: number): unknown } };

const AT_FDCWD = -100, AT_REMOVEDIR = 0x200, AT_SYMLINK_NOFOLLOW = 0x100;
const O_WRONLY = 1, O_CREAT = 0o100, O_EXCL = 0o200, O_TRUNC = 0o1000, O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000;
const STR = 0x1000, STR2 = 0x3000, STR3 = 0x5000, BUF = 0x8000;
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const THREAD_LOCAL = new Set(['linux-threads', 'linux-time', 'linux-epoll-wait']);

function machine(): { p: Process; h: Record<string, Handler> } {
  const mem = new Memory(1 << 20);
  // The one thread's context, as the emulator makes its leader's (no threads here: spawn null).
  const thread = { tid: 1, pid: 1, mem, group: ThreadGroup.create(1), clearTid: 0, sigmask: [0, 0], altstack: null, slot: -1, sigreturn: false, cpu: () => { throw new Error('no CPU in this test'); }, wait: (i32: Int32Array, i: number, v: number, ms: number) => Atomics.wait(i32, i, v, ms), spawn: null, halt: () => {}, exited: () => {} };
  const p = new ProcessClass({ mem, brk: 0x80000, mmapTop: 0xf0000, exe: process.execPath, halt: () => {}, thread });
  const host = mkdtempSync(join(tmpdir(), 'rv64-model-'));
  dirs.push(host);
  p.fs.mkdir('/mem');
  p.fs.umask = 0o022;
  const why = mountAll(p.fs, [{ guest: '/host', host, rw: true }]);
  if (why) throw new Error(why);
  // stdio on /dev/null: hostile writes must not reach the test's own output.
  const nul = p.fs.lookup('/dev/null')!;
  for (const fd of [0, 1, 2]) p.fds.set(fd, { kind: 'mem', hostFd: -1, inode: nul, pos: 0, flags: 2, path: '/dev/null' });
  const h: Record<string, Handler> = {};
  // A thread's own calls (clone, futex, signals, sleeps, epoll_pwait) need its CPU and may block: the thread tests cover them.
  for (const m of linuxModules(p)) if (!THREAD_LOCAL.has((m as { name?: string }).name ?? '')) Object.assign(h, m.handlers);
  return { p, h };
}

const put = (p: Process, at: number, s: string): number => { p.mem.write(at, Buffer.from(s + '\0')); return at; };

const NAMES = ['a', 'b', 'c', 'a/x', 'b/y', 'a/x/z', 'a/', 'l', 'l/q', 'b/'];
const name = fc.constantFrom(...NAMES);
type Op = { op: string; a: string; b: string; n: number };
const op: fc.Arbitrary<Op> = fc.record({
  op: fc.constantFrom('mkdir', 'unlink', 'rmdir', 'rename', 'symlink', 'link', 'creat', 'open', 'truncate', 'chmod', 'stat', 'lstat', 'readlink', 'access'),
  a: name, b: name, n: fc.nat(7),
});

/** Runs op below base; the result, made comparable (descriptors become 'fd'). */
function apply(p: Process, h: Record<string, Handler>, base: string, o: Op): string {
  const a = put(p, STR, `${base}/${o.a}`), b = put(p, STR2, `${base}/${o.b}`);
  const rel = put(p, STR3, o.b); // a link's target, as written
  switch (o.op) {
    case 'mkdir': return String(h.mkdirat!(AT_FDCWD, a, 0o750, 0, 0, 0));
    case 'unlink': return String(h.unlinkat!(AT_FDCWD, a, 0, 0, 0, 0));
    case 'rmdir': return String(h.unlinkat!(AT_FDCWD, a, AT_REMOVEDIR, 0, 0, 0));
    case 'rename': return String(h.renameat2!(AT_FDCWD, a, AT_FDCWD, b, [0, 1, 2][o.n % 3]!, 0));
    case 'symlink': return String(h.symlinkat!(rel, AT_FDCWD, a, 0, 0, 0));
    case 'link': return String(h.linkat!(AT_FDCWD, a, AT_FDCWD, b, 0, 0));
    case 'creat': case 'open': {
      const flags = o.op === 'creat' ? [O_CREAT | O_WRONLY, O_CREAT | O_EXCL | O_WRONLY, O_CREAT | O_TRUNC | O_WRONLY][o.n % 3]! : [0, O_DIRECTORY, O_NOFOLLOW, O_WRONLY][o.n % 4]!;
      const fd = h.openat!(AT_FDCWD, a, flags, 0o666, 0, 0);
      if (fd < 0) return String(fd);
      h.close!(fd, 0, 0, 0, 0, 0);
      return 'fd';
    }
    case 'truncate': return String(h.truncate!(a, o.n * 3, 0, 0, 0, 0));
    case 'chmod': return String(h.fchmodat!(AT_FDCWD, a, 0o700 | o.n, 0, 0, 0));
    case 'stat': case 'lstat': {
      const r = h.newfstatat!(AT_FDCWD, a, BUF, o.op === 'lstat' ? AT_SYMLINK_NOFOLLOW : 0, 0, 0);
      const mode = p.mem.dv.getUint32(BUF + 16, true);
      // Directory sizes are the file system's own (ext4 blocks, tmpfs entries): not compared.
      return r < 0 ? String(r) : `mode=${mode.toString(8)} size=${(mode & 0o170000) === 0o040000 ? '-' : p.mem.u64(BUF + 48)}`;
    }
    case 'readlink': {
      const r = h.readlinkat!(AT_FDCWD, a, BUF, 64, 0, 0);
      return r < 0 ? String(r) : Buffer.from(p.mem.bytes(BUF, r)).toString();
    }
    default: return String(h.faccessat!(AT_FDCWD, a, [0, 4, 2, 1][o.n % 4]!, 0, 0, 0));
  }
}

/** Names below base with type, mode and link target, through getdents64 and lstat. */
function tree(p: Process, h: Record<string, Handler>, base: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    const fd = h.openat!(AT_FDCWD, put(p, STR, dir), O_DIRECTORY, 0, 0, 0);
    const names: string[] = [];
    for (let n = h.getdents64!(fd, BUF, 4096, 0, 0, 0); n > 0; n = h.getdents64!(fd, BUF, 4096, 0, 0, 0)) {
      for (let i = 0; i < n; i += p.mem.dv.getUint16(BUF + i + 16, true)) names.push(p.mem.cstring(BUF + i + 19)!);
    }
    h.close!(fd, 0, 0, 0, 0, 0);
    for (const n of names.filter((x) => x !== '.' && x !== '..').sort()) {
      h.newfstatat!(AT_FDCWD, put(p, STR, `${dir}/${n}`), BUF, AT_SYMLINK_NOFOLLOW, 0, 0);
      const mode = p.mem.dv.getUint32(BUF + 16, true), nlink = p.mem.dv.getUint32(BUF + 20, true);
      const r = h.readlinkat!(AT_FDCWD, put(p, STR, `${dir}/${n}`), BUF, 64, 0, 0);
      out.push(`${dir.slice(base.length)}/${n} ${mode.toString(8)}${(mode & 0o170000) === 0o040000 ? '' : ` nlink=${nlink}`}${r > 0 ? ` -> ${Buffer.from(p.mem.bytes(BUF, r))}` : ''}`);
      if ((mode & 0o170000) === 0o040000) walk(`${dir}/${n}`);
    }
  };
  walk(base);
  return out;
}

describe('rv64 in-memory tree vs the host kernel', () => {
  it('random name operations give the same results and leave the same tree below /mem and below a host mount', () => {
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), (ops) => {
      const { p, h } = machine();
      for (const o of ops) expect([o, apply(p, h, '/mem', o)]).toEqual([o, apply(p, h, '/host', o)]);
      expect(tree(p, h, '/mem')).toEqual(tree(p, h, '/host'));
    }), fuzzParams(150));
  }, 120_000);
});

describe('rv64 file handlers: hostile arguments', () => {
  // Calls that stop the machine or sleep for as long as asked.
  const SKIP = new Set(['exit', 'exit_group', 'kill', 'nanosleep', 'clock_nanosleep', 'ppoll', 'pselect6']);
  const arg = fc.oneof(
    fc.constantFrom(0, 1, 2, 3, -1, -100, 0x7fffffff, 2 ** 32 - 1, 2 ** 53 - 1, 2 ** 63, STR, STR2, BUF, 1 << 20, (1 << 20) - 1),
    fc.integer({ min: -5000, max: 5000 }),
    fc.nat(0xfffff),
  );
  it('every call answers an integer, negative ones within -4095, and never throws', () => {
    const { p, h } = machine();
    const names = Object.keys(h).filter((n) => !SKIP.has(n)).sort();
    fc.assert(fc.property(fc.constantFrom(...names), fc.array(arg, { minLength: 6, maxLength: 6 }), fc.constantFrom('/mem/a', '/host/b', '/proc/self/fd/1', '/dev/null', '', 'x/'.repeat(3000), '/proc/self/exe', '/host/../host/./c/'), (n, args, path) => {
      put(p, STR, path.slice(0, 0x1ff0));
      put(p, STR2, 'y');
      const r = h[n]!(...(args as [number, number, number, number, number, number]));
      expect(Number.isInteger(r), `${n}(${args.join(', ')}) = ${r}`).toBe(true);
      expect(r >= -4095, `${n}(${args.join(', ')}) = ${r}`).toBe(true);
    }), fuzzParams(3000));
  }, 120_000);
});
