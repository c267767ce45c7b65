// Strings quoted exactly as strace quotes them: every byte 0..255 alone,
// before an octal digit and before '8', buffers cut at -s, with -x and -xx.
// The oracle is Debian's strace tracing test/fixtures/strace-bytes.c; the
// formatter prints the same write calls from the same bytes and the lines
// must be equal, padding included.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/linux-x86_64.js';
import { createFormatter, type FormatterOptions } from '../src/trace/format.js';
import { quoteBytes } from '../src/trace/escape.js';

const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const missing = ['strace', 'gcc'].filter((t) => !have(t));
const ROOT = new URL('..', import.meta.url).pathname;

/** The fixture's writes, as buffers, in its order. */
function writes(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let c = 0; c < 256; c++) out.push(Uint8Array.of(c), Uint8Array.of(c, 0x37), Uint8Array.of(c, 0x38));
  const b = Uint8Array.from({ length: 80 }, (_, i) => (i * 37 + 11) & 0xff);
  for (let n = 0; n <= 80; n += 5) out.push(b.slice(0, n));
  out.push(new TextEncoder().encode('tab\tnl\nplain text only'), new TextEncoder().encode('nul\0inside'));
  return out;
}

/** The lines the formatter prints for those writes (fd 3, as the fixture's open gives). */
function ours(opts: Omit<FormatterOptions, 'abi' | 'read'>): string[] {
  const ADDR = 0x10000;
  let mem: Uint8Array = new Uint8Array(0);
  const f = createFormatter({ abi, ...opts, read: (a, n) => (a >= ADDR && a - ADDR + n <= mem.length ? mem.subarray(a - ADDR, a - ADDR + n) : null) });
  return writes().map((w) => {
    mem = w;
    return f.line(abi.names.write, [3, ADDR, w.length], w.length);
  });
}

describe.skipIf(missing.length > 0)(`quoting against strace${missing.length ? ` (skipped: ${missing.join(', ')} not installed)` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'trace-escape-'));
  const bin = join(dir, 'bytes');
  const run = (flags: string[]): string[] => {
    const log = join(dir, 'log.txt');
    execFileSync('strace', [...flags, '-e', 'trace=write', '-o', log, bin]);
    return readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('write('));
  };

  it('builds the fixture', () => {
    execFileSync('gcc', ['-O2', '-o', bin, join(ROOT, 'test/fixtures/strace-bytes.c')]);
  });

  it('default: octal escapes, \\t \\n \\v \\f \\r \\" \\\\, three digits before an octal digit, ... past 32 bytes', () => {
    const want = run([]);
    expect(want).toHaveLength(256 * 3 + 17 + 2);
    expect(ours({})).toEqual(want);
  });

  it('-x: the whole string in hex once it holds a non-ASCII, non-space byte', () => {
    expect(ours({ hex: 'non-ascii' })).toEqual(run(['-x']));
  });

  it('-xx -s 8: every byte in hex, cut at 8', () => {
    expect(ours({ hex: 'all', strSize: 8 })).toEqual(run(['-xx', '-s', '8']));
  });

  it('--strings-in-hex=non-ascii-chars -s 0', () => {
    expect(ours({ hex: 'non-ascii-chars', strSize: 0 })).toEqual(run(['--strings-in-hex=non-ascii-chars', '-s', '0']));
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('quoteBytes', () => {
  it('stops at NUL for C strings, not for buffers', () => {
    const b = new TextEncoder().encode('ab\0cd');
    expect(quoteBytes(b, 5)).toBe('"ab\\0cd"');
    expect(quoteBytes(b, 5, 0, true)).toBe('"ab"');
  });
});
