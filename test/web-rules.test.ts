// examples/web/src/rules.ts: the page's seccomp rules compiled to classic BPF,
// run by systab/seccomp's engine (itself checked against the kernel): each
// rule's call answers its errno, an argument mask narrows it, the rest is
// allowed; bad rules are typed errors that say what was meant.
import { describe, expect, it } from 'vitest';
import { createSeccompEngine, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO } from 'systab/seccomp';
import { abi as rv64 } from 'systab/abi/linux-riscv64';
import { abi as wasi } from 'systab/abi/wasi-preview1';
import { allowAll, compileRules, parseRules } from '../examples/web/src/rules.js';

const engine = createSeccompEngine();
const run = (text: string, abi: typeof rv64 | typeof wasi, nr: number, args: number[] = []) =>
  engine.evaluate(engine.install([compileRules(parseRules(text, abi), abi)], { abis: [abi] }), { nr, args }) >>> 0;

describe('the page’s seccomp rules', () => {
  it('CALL:ERRNO answers the errno for that call only', () => {
    expect(run('getpid:EPERM', rv64, rv64.names.getpid)).toBe((SECCOMP_RET_ERRNO | 1) >>> 0);
    expect(run('getpid:EPERM', rv64, rv64.names.getppid)).toBe(SECCOMP_RET_ALLOW >>> 0);
    expect(run('getpid:eperm,openat:13', rv64, rv64.names.openat)).toBe((SECCOMP_RET_ERRNO | 13) >>> 0);
    expect(run('path_open:perm', wasi, wasi.names.path_open)).toBe((SECCOMP_RET_ERRNO | 63) >>> 0);
  });

  it('CALL:ERRNO:aN&MASK only when argument N has a bit of MASK', () => {
    const deny = 'openat:EACCES:a2&3'; // O_WRONLY|O_RDWR
    expect(run(deny, rv64, rv64.names.openat, [-100, 0x1000, 0o1101])).toBe((SECCOMP_RET_ERRNO | 13) >>> 0);
    expect(run(deny, rv64, rv64.names.openat, [-100, 0x1000, 0])).toBe(SECCOMP_RET_ALLOW >>> 0);
    expect(run('write:EBADF:a0&0x2', rv64, rv64.names.write, [2])).toBe((SECCOMP_RET_ERRNO | 9) >>> 0);
    expect(run('write:EBADF:a0&0x2', rv64, rv64.names.write, [1])).toBe(SECCOMP_RET_ALLOW >>> 0);
  });

  it('another arch is killed, as filters written for one arch do; allowAll allows', () => {
    const f = engine.install([compileRules(parseRules('getpid:EPERM', rv64), rv64)], { abis: [wasi] });
    expect(engine.evaluate(f, { nr: 1, args: [] }) >>> 0).toBe(0x80000000);
    expect(engine.evaluate(engine.install([allowAll], { abis: [rv64] }), { nr: 1, args: [] }) >>> 0).toBe(SECCOMP_RET_ALLOW >>> 0);
  });

  it('bad rules are typed errors that teach', () => {
    const err = (text: string, abi: typeof rv64 | typeof wasi = rv64) => {
      try {
        parseRules(text, abi);
      } catch (e) {
        return `${(e as { code: string }).code}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    expect(err('getpid')).toBe('EBADSPEC: seccomp rule "getpid" is not CALL:ERRNO or CALL:ERRNO:aN&MASK (e.g. getpid:EPERM, openat:EACCES:a2&3)');
    expect(err('open:EPERM')).toBe('ENONAME: seccomp rule "open:EPERM": linux-riscv64 has no call "open"');
    expect(err('getpid:ENOPE')).toBe('EBADSPEC: seccomp rule "getpid:ENOPE": "ENOPE" is not an errno of linux-riscv64 (a name like EPERM, or 1-4095)');
    expect(err('path_open:EPERMX', wasi)).toBe('EBADSPEC: seccomp rule "path_open:EPERMX": "EPERMX" is not an errno of wasi-preview1 (a name like perm, or 1-4095)');
    expect(err('getpid:0')).toMatch(/^EBADSPEC: .*"0" is not an errno/);
    expect(err(' , ')).toBe('EBADSPEC: no seccomp rules given (e.g. getpid:EPERM)');
  });
});
