// Extracts every __NR_* (and ARM's __ARM_NR_*) call name and number per
// architecture from the uapi asm/unistd*.h headers of Debian's
// linux-libc-dev-<arch>-cross packages into data/linux-uapi-syscalls/<arch>.tsv.
// Run by hand after `apt-get install` of the packages in ARCHES; the .tsv
// files and SOURCE.md it writes are committed, so the generator needs no
// package. test/abi-uapi-headers.test.ts reads the headers again through
// headerCalls() and checks every generated ABI against them.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'linux-uapi-syscalls');

// data/linux-syscalls architecture -> [Debian package, include root, entry header, predefined macros].
// The predefined macros are what the target's compiler would define and the
// headers test (pointer size, ABI); the rest comes from the headers themselves.
export const ARCHES = {
  x86_64: ['linux-libc-dev-amd64-cross', '/usr/x86_64-linux-gnu/include', 'asm/unistd.h', { __x86_64__: '1', __LP64__: '1' }],
  i386: ['linux-libc-dev-i386-cross', '/usr/i686-linux-gnu/include', 'asm/unistd.h', { __i386__: '1' }],
  x32: ['linux-libc-dev-x32-cross', '/usr/x86_64-linux-gnux32/include', 'asm/unistd.h', { __x86_64__: '1', __ILP32__: '1' }],
  arm64: ['linux-libc-dev-arm64-cross', '/usr/aarch64-linux-gnu/include', 'asm/unistd.h', { __aarch64__: '1', __LP64__: '1', __SIZEOF_POINTER__: '8' }],
  arm: ['linux-libc-dev-armel-cross', '/usr/arm-linux-gnueabi/include', 'asm/unistd.h', { __arm__: '1', __ARM_EABI__: '1', __SIZEOF_POINTER__: '4' }],
  armoabi: ['linux-libc-dev-armel-cross', '/usr/arm-linux-gnueabi/include', 'asm/unistd.h', { __arm__: '1', __SIZEOF_POINTER__: '4' }],
  riscv64: ['linux-libc-dev-riscv64-cross', '/usr/riscv64-linux-gnu/include', 'asm/unistd.h', { __riscv: '1', __riscv_xlen: '64', __LP64__: '1', __SIZEOF_POINTER__: '8' }],
  // The riscv64 package's headers serve both widths; riscv32 is read with a 32-bit compiler's macros.
  riscv32: ['linux-libc-dev-riscv64-cross', '/usr/riscv64-linux-gnu/include', 'asm/unistd.h', { __riscv: '1', __riscv_xlen: '32', __SIZEOF_POINTER__: '4' }],
  arc: ['linux-libc-dev-arc-cross', '/usr/arc-linux-gnu/include', 'asm/unistd.h', { __arc__: '1', __SIZEOF_POINTER__: '4' }],
  alpha: ['linux-libc-dev-alpha-cross', '/usr/alpha-linux-gnu/include', 'asm/unistd.h', { __alpha__: '1', __LP64__: '1' }],
  m68k: ['linux-libc-dev-m68k-cross', '/usr/m68k-linux-gnu/include', 'asm/unistd.h', { __m68k__: '1' }],
  mipso32: ['linux-libc-dev-mips-cross', '/usr/mips-linux-gnu/include', 'asm/unistd.h', { __mips__: '1', _MIPS_SIM: '_MIPS_SIM_ABI32' }],
  mips64: ['linux-libc-dev-mips64-cross', '/usr/mips64-linux-gnuabi64/include', 'asm/unistd.h', { __mips__: '1', _MIPS_SIM: '_MIPS_SIM_ABI64', __LP64__: '1' }],
  mips64n32: ['linux-libc-dev-mipsn32-cross', '/usr/mips64-linux-gnuabin32/include', 'asm/unistd.h', { __mips__: '1', _MIPS_SIM: '_MIPS_SIM_NABI32' }],
  parisc: ['linux-libc-dev-hppa-cross', '/usr/hppa-linux-gnu/include', 'asm/unistd.h', { __hppa__: '1' }],
  parisc64: ['linux-libc-dev-hppa-cross', '/usr/hppa-linux-gnu/include', 'asm/unistd.h', { __hppa__: '1', __LP64__: '1' }],
  powerpc: ['linux-libc-dev-powerpc-cross', '/usr/powerpc-linux-gnu/include', 'asm/unistd.h', { __powerpc__: '1' }],
  powerpc64: ['linux-libc-dev-ppc64-cross', '/usr/powerpc64-linux-gnu/include', 'asm/unistd.h', { __powerpc__: '1', __powerpc64__: '1', __LP64__: '1' }],
  s390x: ['linux-libc-dev-s390x-cross', '/usr/s390x-linux-gnu/include', 'asm/unistd.h', { __s390__: '1', __s390x__: '1', __LP64__: '1' }],
  sh: ['linux-libc-dev-sh4-cross', '/usr/sh4-linux-gnu/include', 'asm/unistd.h', { __sh__: '1' }],
  sparc: ['linux-libc-dev-sparc64-cross', '/usr/sparc64-linux-gnu/include', 'asm/unistd.h', { __sparc__: '1' }],
  sparc64: ['linux-libc-dev-sparc64-cross', '/usr/sparc64-linux-gnu/include', 'asm/unistd.h', { __sparc__: '1', __arch64__: '1', __LP64__: '1' }],
};

// Macros named __NR_* that are not calls: bases, counts, masks.
const NOT_CALLS = /^(syscalls|Linux|Linux_syscalls|O32_Linux|O32_Linux_syscalls|64_Linux|64_Linux_syscalls|N32_Linux|N32_Linux_syscalls|SYSCALL_BASE|OABI_SYSCALL_BASE|SYSCALL_MASK|arch_specific_syscall|BASE)$/;

/**
 * A tiny C preprocessor, enough for the uapi unistd headers: #include <...>
 * under `root`, #define of object-like macros, #undef, #if/#ifdef/#ifndef/
 * #elif/#else/#endif with defined() and integer expressions. Returns the
 * macros defined at the end.
 */
function preprocess(root, entry, predefined) {
  const defs = new Map(Object.entries(predefined));
  const value = (expr, depth = 0) => {
    if (depth > 16) throw new Error(`${root}: macro expansion too deep in ${expr}`);
    const text = expr.replace(/\bdefined\s*\(\s*(\w+)\s*\)|\bdefined\s+(\w+)/g, (_, a, b) => (defs.has(a ?? b) ? '1' : '0'));
    const expanded = text.replace(/\b[A-Za-z_]\w*\b/g, (id) => (defs.has(id) ? `(${value(defs.get(id), depth + 1)})` : '0'));
    return expanded;
  };
  const evaluate = (expr) => {
    const e = value(expr).replace(/\b(0x[0-9a-fA-F]+|\d+)[uUlL]*\b/g, '$1');
    // Only numbers and C operators reach eval: the headers are the system's, but check anyway.
    if (!/^[\s\d()+\-*/%|&^!~<>=?:xa-fA-F]*$/.test(e)) throw new Error(`${root}: cannot evaluate ${expr}`);
    return Number(Function(`"use strict"; return (${e});`)());
  };
  const seen = new Set();
  const read = (rel) => {
    const file = join(root, rel);
    if (!existsSync(file)) return; // a header outside the uapi asm set: nothing of ours in it
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/.*$/gm, '').replace(/\\\n/g, ' ');
    // A stack of { on: this branch is taken, done: some branch of this #if was taken, outer: the enclosing state }.
    const stack = [];
    const active = () => stack.every((s) => s.on);
    for (const line of text.split('\n')) {
      const m = /^\s*#\s*(\w+)\s*(.*?)\s*$/.exec(line);
      if (!m) continue;
      const [, dir, rest] = m;
      if (dir === 'if' || dir === 'ifdef' || dir === 'ifndef') {
        const on = active() && (dir === 'if' ? evaluate(rest) !== 0 : defs.has(rest) === (dir === 'ifdef'));
        stack.push({ on, done: on, live: active() });
      } else if (dir === 'elif') {
        const s = stack[stack.length - 1];
        s.on = !s.done && s.live && evaluate(rest) !== 0;
        s.done ||= s.on;
      } else if (dir === 'else') {
        const s = stack[stack.length - 1];
        s.on = !s.done && s.live;
        s.done = true;
      } else if (dir === 'endif') stack.pop();
      else if (!active()) continue;
      else if (dir === 'include') {
        const inc = /^<([^>]+)>/.exec(rest);
        if (inc && !seen.has(inc[1])) {
          seen.add(inc[1]);
          read(inc[1]);
        }
      } else if (dir === 'define') {
        const d = /^(\w+)(\([^)]*\))?\s*(.*)$/.exec(rest);
        if (d && !d[2]) defs.set(d[1], d[3]);
      } else if (dir === 'undef') defs.delete(rest);
    }
  };
  seen.add(entry);
  read(entry);
  return { defs, evaluate };
}

/**
 * Every call the headers of `arch` name, [name, number][] sorted by number
 * then name, or undefined when the package is not installed.
 */
export function headerCalls(arch) {
  const [, root, entry, predefined] = ARCHES[arch];
  if (!existsSync(join(root, entry))) return undefined;
  const { defs, evaluate } = preprocess(root, entry, predefined);
  const out = [];
  for (const macro of defs.keys()) {
    const m = /^__(?:ARM_)?NR_(\w+)$/.exec(macro);
    if (!m || NOT_CALLS.test(m[1])) continue;
    const nr = evaluate(macro);
    if (!Number.isInteger(nr) || nr < 0) throw new Error(`${root}: ${macro} is ${nr}`);
    out.push([m[1], nr]);
  }
  return out.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const version = (pkg) => execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  mkdirSync(outDir, { recursive: true });
  const lines = [];
  for (const [arch, [pkg, root, entry, predefined]] of Object.entries(ARCHES)) {
    const calls = headerCalls(arch);
    if (calls === undefined) throw new Error(`${pkg} is not installed (${root}/${entry} is missing)`);
    writeFileSync(join(outDir, `${arch}.tsv`), calls.map(([n, v]) => `${n}\t${v}\n`).join(''));
    const macros = Object.entries(predefined).map(([k, v]) => (v === '1' ? k : `${k}=${v}`)).join(' ');
    lines.push(`| ${arch}.tsv | ${pkg} ${version(pkg)} | ${root}/${entry} | ${macros} | ${calls.length} |`);
  }
  writeFileSync(join(outDir, 'SOURCE.md'), `# Linux system call names and numbers from the uapi headers

Each <arch>.tsv lists every system call macro the architecture's uapi headers
define (\`__NR_<name>\`, and ARM's private \`__ARM_NR_<name>\`), a tab, and its
number, sorted by number. Aliases (Alpha's \`__NR_getpid\` for
\`__NR_getxpid\`, ARM's \`sync_file_range2\`) are listed under both names.

Extracted by scripts/extract-syscalls.mjs from the headers installed by
Debian 12's linux-libc-dev-<arch>-cross packages, read from the entry header
with the macros that architecture's compiler predefines:

| file | package and version | entry header | predefined macros | calls |
| --- | --- | --- | --- | ---: |
${lines.join('\n')}

Debian packages no headers for csky, hexagon, loongarch32, loongarch64,
microblaze, nios2, openrisc and xtensa: those ABIs have no file here.

Why: the kernel's syscall tables (data/linux-syscalls, Linux 7.2.0-rc1) list
only numbers with an entry point. The headers also name the numbers Linux
reserves and never implements (getpmsg and putpmsg, afs_syscall, tuxcall,
security, vserver, create_module, nfsservctl, ..., on i386 break, stty, gtty,
ftime, prof, lock, mpx, ulimit, profil, idle). scripts/gen-abi.mjs adds
every name here that data/linux-syscalls lacks, and marks its number
unimplemented unless another name already implements it (an alias).

The headers are Linux 6.1's: calls added since (cachestat and later) are only
in data/linux-syscalls.

The headers are licensed GPL-2.0 WITH Linux-syscall-note; these files hold
only the names and numbers, which are facts of the Linux user-space ABI. No
header text is copied.
`);
  console.log(lines.join('\n'));
}
