// Extracts Linux errno values per architecture family from Debian's
// linux-libc-dev-<arch>-cross packages into data/linux-errno/<family>.tsv.
// Run by hand after `apt-get install` of the packages below; the .tsv files
// and SOURCE.md it writes are committed, so neither CI nor the generator
// needs these packages.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'linux-errno');

// family -> [Debian package, include root, Linux architecture folders using it]
// Only alpha, mips, parisc, powerpc and sparc have their own uapi asm/errno.h;
// every other architecture includes asm-generic/errno.h.
const families = {
  generic: ['linux-libc-dev-amd64-cross', '/usr/x86_64-linux-gnu/include',
    'every architecture not listed below (asm/errno.h is asm-generic/errno.h)'],
  alpha: ['linux-libc-dev-alpha-cross', '/usr/alpha-linux-gnu/include', 'alpha'],
  mips: ['linux-libc-dev-mips-cross', '/usr/mips-linux-gnu/include', 'mipso32, mips64n32, mips64'],
  parisc: ['linux-libc-dev-hppa-cross', '/usr/hppa-linux-gnu/include', 'parisc, parisc64'],
  powerpc: ['linux-libc-dev-powerpc-cross', '/usr/powerpc-linux-gnu/include', 'powerpc, powerpc64 (generic but EDEADLOCK = 58)'],
  sparc: ['linux-libc-dev-sparc64-cross', '/usr/sparc64-linux-gnu/include', 'sparc, sparc64'],
};
// Headers that must equal their family's, checked when installed.
const sameAs = {
  generic: ['/usr/aarch64-linux-gnu/include', '/usr/riscv64-linux-gnu/include', '/usr/s390x-linux-gnu/include',
    '/usr/m68k-linux-gnu/include', '/usr/sh4-linux-gnu/include', '/usr/arc-linux-gnu/include'],
  powerpc: ['/usr/powerpc64-linux-gnu/include'],
};

// A tiny preprocessor: enough for the errno headers (#include of other errno
// headers once each, #undef, #define NAME number-or-NAME).
function readDefs(root) {
  const defs = new Map();
  const seen = new Set();
  const read = (rel) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    const text = readFileSync(join(root, rel), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    for (const line of text.split('\n')) {
      let m;
      if ((m = /^\s*#\s*include\s*<([^>]*errno[^>]*)>/.exec(line))) read(m[1]);
      else if ((m = /^\s*#\s*undef\s+(\w+)/.exec(line))) defs.delete(m[1]);
      else if ((m = /^\s*#\s*define\s+(E[A-Z0-9]+)\s+(\w+)\s*$/.exec(line))) defs.set(m[1], m[2]);
    }
  };
  read('asm/errno.h');
  const value = (name, depth = 0) => {
    const v = defs.get(name);
    if (v === undefined || depth > 8) throw new Error(`${root}: cannot resolve ${name}`);
    return /^\d+$/.test(v) ? Number(v) : value(v, depth + 1);
  };
  return [...defs.keys()].map((n) => [n, value(n)]).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
}

const tsv = (rows) => rows.map(([n, v]) => `${n}\t${v}\n`).join('');
const version = (pkg) => execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });

mkdirSync(outDir, { recursive: true });
const lines = [];
for (const [family, [pkg, root, archs]] of Object.entries(families)) {
  const text = tsv(readDefs(root));
  for (const other of sameAs[family] ?? []) {
    let otherText;
    try { otherText = tsv(readDefs(other)); } catch { continue; }
    if (otherText !== text) throw new Error(`${other} differs from ${root}`);
  }
  writeFileSync(join(outDir, `${family}.tsv`), text);
  lines.push(`| ${family}.tsv | ${pkg} ${version(pkg)} | ${root}/asm/errno.h | ${archs} |`);
}

writeFileSync(join(outDir, 'SOURCE.md'), `# Linux errno values per architecture family

Each <family>.tsv lists every errno macro of that family, a tab, and its value
(aliases such as EWOULDBLOCK resolved to their numbers), sorted by value.

Extracted by scripts/extract-errno.mjs from the uapi headers asm/errno.h,
asm-generic/errno.h and asm-generic/errno-base.h as installed by Debian's
linux-libc-dev-<arch>-cross packages:

| file | package and version | header | Linux architectures (data/linux-syscalls names) |
| --- | --- | --- | --- |
${lines.join('\n')}

Only alpha, mips, parisc, powerpc and sparc have their own uapi asm/errno.h in
Linux; every other architecture's is asm-generic/errno.h (the extractor checked
that arm64, riscv64, s390x, m68k, sh4 and arc headers equal generic.tsv, and
ppc64 equals powerpc.tsv). The headers are from Linux 6.1; errno numbering has
not changed since (the syscall tables are from Linux 7.2.0-rc1).

The headers are licensed GPL-2.0 WITH Linux-syscall-note; these files hold only
the names and numbers, which are facts of the Linux user-space ABI.
`);
console.log(lines.join('\n'));
