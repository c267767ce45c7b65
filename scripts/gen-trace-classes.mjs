// Generates src/trace/classes.gen.ts (each call's strace class flags and
// argument count, per ABI) and src/trace/signals.gen.ts from strace's tables
// in data/strace (see its SOURCE.md), matched to the calls of the committed
// ABI modules (src/abi). `generate()` returns the files without writing; run
// as a script it writes them (--report: how each ABI's names matched).
// Small on purpose: each name's most common value, in the order of
// src/abi/call-index.ts, and per ABI only the names whose value differs.
// A value is nargs (one digit) and letters (decoded by src/trace/classes.ts):
//   D desc  F file  I ipc  N network  P process  S signal  M memory
//   C creds  K clock  U pure  Z never fails  T stat  L lstat  X fstat
//   A stat-like (%%stat)  V statfs  W fstatfs  Y statfs-like (%%statfs)
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname, posix } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { signalsText } from './gen-trace-signals.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const read = (rel) => readFileSync(join(root, rel), 'utf8');

/** strace's shorthand (src/sysent_shorthand_defs.h) -> our letter; the other shorthands carry no class. */
export const LETTERS = {
  TD: 'D', TF: 'F', TI: 'I', TN: 'N', TP: 'P', TS: 'S', TM: 'M', TC: 'C', TCL: 'K', PU: 'U', NF: 'Z',
  TST: 'T', TLST: 'L', TFST: 'X', TSTA: 'A', TSF: 'V', TFSF: 'W', TSFA: 'Y',
};
const IGNORED = new Set(['SI', 'CST', 'TSD', 'CC', 'MA', 'IS', 'TRACE_INDIRECT_SUBCALL']);
const ORDER = 'DFINPSMCKUZTLXAVWY';
const MAX_ARGS = 6; // strace's MAX_ARGS (7 on MIPS o32), and the count of a call strace does not know

/**
 * Which strace table each Linux ABI takes, with the macros strace's build for
 * it defines. `fallback` marks an ABI strace has no table for: the generic
 * 32-bit table stands in (src/linux/32), and names it lacks take their
 * common value (as every name strace's arch table lacks does).
 */
export const TARGETS = {
  'linux-x86_64': { file: 'x86_64/syscallent.h' },
  'linux-i386': { file: 'i386/syscallent.h' },
  'linux-x32': { file: 'x32/syscallent.h', offset: 0x40000000 }, // strace numbers x32 calls without __X32_SYSCALL_BIT
  'linux-arm64': { file: 'aarch64/syscallent.h' },
  // From 500 strace's ARM table holds the private calls (0x0f0000 up) shuffled down: matched by name only.
  'linux-arm': { file: 'arm/syscallent.h', defines: { __ARM_EABI__: 1 }, shuffled: 500 },
  'linux-armoabi': { file: 'arm/syscallent.h', offset: 0x900000, shuffled: 500 }, // strace strips the OABI base
  'linux-riscv64': { file: 'riscv64/syscallent.h' },
  'linux-riscv32': { file: '32/syscallent.h', defines: { HAVE_ARCH_TIME32_SYSCALLS: 0 }, fallback: 'riscv32 has only the 64-bit time calls' },
  'linux-loongarch64': { file: 'loongarch64/syscallent.h' },
  'linux-loongarch32': { file: '32/syscallent.h', defines: { HAVE_ARCH_TIME32_SYSCALLS: 0 }, fallback: 'loongarch32 has only the 64-bit time calls' },
  'linux-hexagon': { file: '32/syscallent.h', defines: { HAVE_ARCH_TIME32_SYSCALLS: 1 }, fallback: 'hexagon is asm-generic 32-bit with the time32 calls' },
  'linux-csky': { file: 'csky/syscallent.h', defines: { HAVE_ARCH_TIME32_SYSCALLS: 1 } },
  'linux-arc': { file: 'arc/syscallent.h', defines: { HAVE_ARCH_TIME32_SYSCALLS: 1 } },
  'linux-nios2': { file: 'nios2/syscallent.h', defines: { HAVE_ARCH_TIME32_SYSCALLS: 1 } },
  'linux-openrisc': { file: 'or1k/syscallent.h', defines: { HAVE_ARCH_TIME32_SYSCALLS: 1 } },
  'linux-xtensa': { file: 'xtensa/syscallent.h' },
  'linux-microblaze': { file: 'microblaze/syscallent.h' },
  'linux-m68k': { file: 'm68k/syscallent.h' },
  'linux-sh': { file: 'sh/syscallent.h' },
  'linux-alpha': { file: 'alpha/syscallent.h' },
  'linux-parisc': { file: 'hppa/syscallent.h' },
  'linux-parisc64': { file: 'hppa/syscallent.h', fallback: "strace's hppa table is the 32-bit one; parisc64 numbers the same calls" },
  'linux-powerpc': { file: 'powerpc/syscallent.h' },
  'linux-powerpc64': { file: 'powerpc64/syscallent.h' },
  'linux-s390x': { file: 's390x/syscallent.h' },
  'linux-sparc': { file: 'sparc/syscallent.h' },
  'linux-sparc64': { file: 'sparc64/syscallent.h' },
  'linux-mipso32': { file: 'mips/syscallent-o32.h', defines: { LINUX_MIPSO32: 1 } },
  'linux-mips64n32': { file: 'mips/syscallent-n32.h', defines: { LINUX_MIPSN32: 1 } },
  'linux-mips64': { file: 'mips/syscallent-n64.h', defines: { LINUX_MIPSN64: 1 } },
};

/**
 * strace's personalities: the ABIs one strace build traces, with the
 * designators `name@64` selects them by (src/linux/<arch>/arch_defs_.h); the
 * first is the build's own. An ABI that is a compat personality of a 64-bit
 * build belongs to that build, as strace on a 64-bit host sees it; s390x's
 * s390 personality is no ABI here. Every other ABI is a build of its own,
 * designated by its word size (strace's default, __WORDSIZE).
 */
export const BUILDS = [
  ['linux-x86_64@64', 'linux-i386@32', 'linux-x32@x32'],
  ['linux-arm64@64', 'linux-arm@32'],
  ['linux-powerpc64@64', 'linux-powerpc@32'],
  ['linux-sparc64@64', 'linux-sparc@32'],
];
const WORD64 = new Set(['linux-alpha', 'linux-loongarch64', 'linux-mips64', 'linux-parisc64', 'linux-riscv64', 'linux-s390x']);

// ---- a small C preprocessor: #include, #define NAME VALUE, #undef, #if/#ifdef/#ifndef/#else/#endif ----

/** Evaluates an integer expression of numbers, macros, + - * ( ) and `defined X`. */
function evaluate(expr, macros, where) {
  const text = expr
    .replace(/defined\s*\(\s*(\w+)\s*\)|defined\s+(\w+)/g, (_, a, b) => (Object.hasOwn(macros, a ?? b) ? '1' : '0'))
    .replace(/\b[A-Za-z_]\w*\b/g, (id) => {
      if (!Object.hasOwn(macros, id)) return '0'; // as cpp: an unknown identifier is 0
      return `(${evaluate(String(macros[id]), macros, where)})`;
    })
    .replace(/\b(\d+)U?L*\b/g, '$1');
  if (!/^[\d\s+\-*()x<a-fA-F]*$/.test(text)) throw new Error(`${where}: cannot evaluate ${JSON.stringify(expr)}`);
  return Function(`return (${text.replace(/<</g, '*2**').replace(/\(\s*\)/g, '0')});`)();
}

/** The entries of a syscallent file with its includes, in order: { index, nargs, flags, name, file }. */
export function parseTable(file, defines = {}) {
  const maxArgs = defines.LINUX_MIPSO32 ? 7 : MAX_ARGS; // strace's defs.h: 7 on MIPS o32
  const macros = { ...defines };
  const entries = [];
  const files = new Set();
  const walk = (rel) => {
    const path = `data/strace/src/linux/${rel}`;
    files.add(path);
    const stack = []; // of { active, taken }
    const active = () => stack.every((s) => s.active);
    const lines = read(path).replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, '')).split('\n');
    lines.forEach((line, i) => {
      const where = `${path}:${i + 1}`;
      const d = line.match(/^\s*#\s*(\w+)\s*(.*?)\s*$/);
      if (d) {
        const [, dir, rest] = d;
        if (dir === 'if' || dir === 'ifdef' || dir === 'ifndef') {
          const v = dir === 'if' ? evaluate(rest, macros, where) !== 0 : Object.hasOwn(macros, rest) === (dir === 'ifdef');
          stack.push({ active: v, taken: v });
        } else if (dir === 'else') {
          const s = stack[stack.length - 1];
          s.active = !s.taken;
          s.taken = true;
        } else if (dir === 'endif') stack.pop();
        else if (!active()) return;
        else if (dir === 'include') walk(resolveInclude(rel, rest.replace(/^"|"$/g, '')));
        else if (dir === 'define') {
          const [, name, value = ''] = rest.match(/^(\w+)\s*(.*)$/);
          macros[name] = value === '' ? 1 : value;
        } else if (dir === 'undef') delete macros[rest];
        else throw new Error(`${where}: unexpected #${dir}`);
        return;
      }
      if (!active() || line.trim() === '') return;
      const e = line.match(/^\[([^\]]+)\]\s*=\s*\{(.*)\},?\s*$/);
      if (!e) throw new Error(`${where}: not an entry: ${line}`);
      if (e[2].trim() === '') return; // a placeholder (or a GCC range of them, [a ... b]): no call
      const index = evaluate(e[1], macros, where);
      const f = e[2].match(/^\s*(\w+)\s*,\s*([\w|]+)\s*,\s*SEN\(\w+\)\s*,\s*"([^"]+)"\s*$/);
      if (!f) throw new Error(`${where}: cannot read entry ${line}`);
      const nargs = f[1] === 'MA' ? maxArgs : Number(f[1]);
      if (!Number.isInteger(nargs) || nargs > maxArgs) throw new Error(`${where}: nargs ${f[1]}`);
      let flags = '';
      for (const s of f[2].split('|')) {
        if (s === '0') continue;
        if (Object.hasOwn(LETTERS, s)) flags += LETTERS[s];
        else if (!IGNORED.has(s)) throw new Error(`${where}: unknown flag ${s}`);
      }
      entries.push({ index, nargs, flags: sortFlags(flags), name: f[3], subcall: /\bIS\b/.test(f[2]) });
    });
    if (stack.length !== 0) throw new Error(`${path}: unbalanced #if`);
  };
  walk(file);
  return { entries, files: [...files] };
}

/** A quoted #include as strace's build finds it: beside the including file, else in linux/generic (its -I path). */
function resolveInclude(from, name) {
  const here = posix.normalize(posix.join(posix.dirname(from), name));
  return existsSync(join(root, 'data/strace/src/linux', here)) ? here : posix.join('generic', name);
}

const sortFlags = (f) => [...new Set(f)].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b)).join('');

// ---- our ABIs (the committed generated modules) ----

/** { id, names: [name, nr][], params?: { name: count } } of each committed ABI module. */
export function ourAbis() {
  const list = read('src/abi/list.ts');
  const ids = [...list.slice(list.indexOf('abiIds = ['), list.indexOf('] as const')).matchAll(/'([\w-]+)'/g)].map((m) => m[1]);
  return ids.map((id) => {
    const text = read(`src/abi/${id}.ts`);
    const block = text.slice(text.indexOf('  names: {'), text.indexOf('\n  },', text.indexOf('  names: {')));
    const names = [...block.matchAll(/^ {4}'?(\w+)'?: (0x[\da-f]+|\d+),$/gm)].map((m) => [m[1], Number(m[2])]);
    const params = {};
    for (const m of text.matchAll(/^ {4}(\w+): \{ params: \[([^\]]*)\]/gm)) params[m[1]] = m[2] === '' ? 0 : m[2].split(',').length;
    return { id, names, params };
  });
}

// ---- WASI: classes from the witx names (no strace table) ----

/**
 * The documented WASI rule: fd_* desc; path_* file and desc (each takes a
 * directory fd, as strace's *at calls are TD|TF); sock_* network; proc_exit
 * process; proc_raise signal and process (as strace's kill); clock_* clock;
 * poll_oneoff desc (as strace's poll); fd_filestat_get fstat and stat-like
 * (as fstat); path_filestat_get file, desc, fstat and stat-like (as
 * newfstatat); the rest (args_*, environ_*, random_get, sched_yield) none.
 * nargs: the lowered core parameters.
 */
export function wasiFlags(name) {
  if (name === 'fd_filestat_get') return 'DXA';
  if (name === 'path_filestat_get') return 'DFXA';
  if (name === 'proc_exit') return 'P';
  if (name === 'proc_raise') return 'PS';
  if (name === 'poll_oneoff') return 'D';
  const prefix = { fd: 'D', path: 'DF', sock: 'N', clock: 'K' }[name.split('_')[0]];
  return prefix ?? '';
}

// ---- assembling ----

const code = (v) => `${v.nargs}${v.flags}`;

export function generate() {
  const abis = ourAbis();
  const perAbi = new Map(); // id -> Map(name -> value)
  const report = [];
  const sources = new Set();
  const common = new Map(); // name -> value in any strace table (first seen), for names an arch table lacks
  const tables = new Map();
  const aliases = new Map(); // id -> ['strace=ours']
  const numbers = new Map(); // id -> ranges of the numbers strace's table has
  for (const a of abis) {
    const t = TARGETS[a.id];
    if (!t) continue;
    const { entries, files } = parseTable(t.file, t.defines);
    files.forEach((f) => sources.add(f));
    tables.set(a.id, entries);
  }
  for (const entries of tables.values()) for (const e of entries) if (!e.subcall && !e.name.includes('#') && !common.has(e.name)) common.set(e.name, e);
  for (const a of abis) {
    const values = new Map();
    if (a.id === 'wasi-preview1') {
      for (const [name] of a.names) values.set(name, { nargs: a.params[name] ?? MAX_ARGS, flags: wasiFlags(name) });
      perAbi.set(a.id, values);
      numbers.set(a.id, ranges(a.names.map(([, nr]) => nr)));
      continue;
    }
    const entries = tables.get(a.id);
    if (!entries) throw new Error(`no strace table mapped for ${a.id}: add it to TARGETS`);
    const byName = new Map();
    const byIndex = new Map();
    for (const e of entries) {
      if (e.subcall) continue;
      byName.set(e.name, e); // the last wins, as a C initializer's
      byIndex.set(e.index, e);
    }
    const ours = new Map(a.names);
    const missing = [];
    const renamed = [];
    const valid = new Set();
    for (const e of byIndex.values()) {
      if (ours.has(e.name)) valid.add(ours.get(e.name));
      else if (e.index < (TARGETS[a.id].shuffled ?? Infinity)) valid.add(e.index + (TARGETS[a.id].offset ?? 0));
    }
    numbers.set(a.id, ranges(valid));
    for (const [name, nr] of a.names) {
      // By name; else the entry at the same number (strace's _llseek for llseek,
      // alpha's getxpid for its alias getpid); else the name's value in any
      // strace table; else no class and MAX_ARGS.
      let e = byName.get(name);
      if (!e) {
        const at = byIndex.get(nr - (TARGETS[a.id].offset ?? 0));
        if (at && at.index < (TARGETS[a.id].shuffled ?? Infinity)) {
          e = at; // the same call: an alias in the ABI (alpha's getpid is getxpid), or strace's spelling
          renamed.push(`${name}=${at.name}`);
          if (!ours.has(at.name)) {
            if (!aliases.has(a.id)) aliases.set(a.id, []);
            aliases.get(a.id).push(`${at.name}=${name}`);
          }
        } else missing.push(name);
      }
      e ??= common.get(name);
      // A name no strace table has is left out: the runtime gives it no class and MAX_ARGS.
      if (e) values.set(name, { nargs: e.nargs, flags: e.flags });
    }
    report.push(`${a.id}: ${a.names.length} names; at the same number under strace's name: ${renamed.join(' ') || '-'}; not in strace's ${TARGETS[a.id].file}: ${missing.join(' ') || '-'}`);
    perAbi.set(a.id, values);
  }
  // The common value of a name: the most frequent over the ABIs (ties: first ABI in order).
  const counts = new Map();
  for (const values of perAbi.values()) {
    for (const [name, v] of values) {
      const c = counts.get(name) ?? new Map();
      c.set(code(v), (c.get(code(v)) ?? 0) + 1);
      counts.set(name, c);
    }
  }
  const defaults = new Map([...counts].map(([name, c]) => [name, [...c].reduce((best, x) => (x[1] > best[1] ? x : best))[0]]));
  // The common values follow the names of src/abi/call-index.ts, in its
  // order, so that no name is written twice in a bundle (every ABI module
  // imports that index); '' where no strace table has the name.
  const indexNames = callIndexNames();
  for (const n of defaults.keys()) if (!indexNames.includes(n)) throw new Error(`${n} is not in src/abi/call-index.ts: run npm run gen:abi`);
  const list = (pairs) => pairs.map(([n, c]) => `${n}${c}`).join(',');
  const lines = [
    `// generated by scripts/gen-trace-classes.mjs from data/strace (strace's syscall tables, LGPL-2.1-or-later: facts only) and src/abi; do not edit`,
    `// A value is an argument count (one digit) and class letters (see the script).`,
    ``,
    `/** The most common value of each call name of src/abi/call-index.ts, in its order ('' for none). */`,
    `export const common =`,
    ...chunk(indexNames.map((n) => defaults.get(n) ?? '').join(',')),
    ``,
    `/** Per ABI id, the names (each followed by its value) whose value differs from \`common\`. */`,
    `export const byAbi: Record<string, string> = {`,
  ];
  for (const [id, values] of perAbi) {
    const diff = [...values].filter(([n, v]) => code(v) !== defaults.get(n)).map(([n, v]) => [n, code(v)]);
    lines.push(`  '${id}':`, ...chunk(list(diff), '    ').map((l, i, all) => (i === all.length - 1 ? l.replace(/;$/, ',') : l)));
  }
  lines.push(
    `};`,
    ``,
    `/** Per ABI id, strace's names for calls the ABI names otherwise (strace's=ours). */`,
    `export const aliases: Record<string, string> = {`,
    ...[...aliases].map(([id, l]) => `  '${id}': '${l.join(',')}',`),
    `};`,
    ``,
    `/** Per ABI id, the numbers strace's table has a call at (in the ABI's numbering), as ranges. */`,
    `export const numbers: Record<string, string> = {`,
    ...[...numbers].map(([id, r]) => `  '${id}': '${r}',`),
    `};`,
    ``,
    `/** The base strace takes off an ABI's numbers (x32's __X32_SYSCALL_BIT, ARM OABI's 0x900000): its \`trace=N\` is our N + base. */`,
    `export const offsets: Record<string, number> = {`,
    ...Object.entries(TARGETS).filter(([, t]) => t.offset).map(([id, t]) => `  '${id}': 0x${t.offset.toString(16)},`),
    `};`,
    ``,
    `/** strace's builds: the ABIs one strace traces and their @ designators, the build's own first. */`,
    `export const builds = [`,
    ...builds(abis.map((a) => a.id)).map((b) => `  '${b}',`),
    `];`,
    ``,
  );
  checkFacts().forEach((f) => sources.add(f));
  const signals = signalsText(abis.map((a) => a.id));
  signals.sources.forEach((f) => sources.add(f));
  return { files: { 'src/trace/classes.gen.ts': lines.join('\n'), 'src/trace/signals.gen.ts': signals.text }, report, sources: [...sources].sort() };
}

/**
 * Checks the facts the script hard-codes against strace's own files: every
 * shorthand it maps is one sysent_shorthand_defs.h defines (as a TRACE_*
 * flag sysent.h defines), and each build's compat personalities are the
 * tables its syscallent1.h, syscallent2.h include.
 */
function checkFacts() {
  const defs = read('data/strace/src/sysent_shorthand_defs.h');
  const flags = new Set([...read('data/strace/src/sysent.h').matchAll(/^# define (\w+)\s+0\d+/gm)].map((m) => m[1]));
  const live = defs.slice(defs.indexOf('#else'));
  const shorthand = new Map([...live.matchAll(/^# define (\w+)\s+(\w+)/gm)].map((m) => [m[1], m[2]]));
  for (const s of [...Object.keys(LETTERS), ...IGNORED]) {
    if (s === 'IS' || s === 'TRACE_INDIRECT_SUBCALL') continue; // generic/subcallent.h defines IS itself
    if (!shorthand.has(s)) throw new Error(`sysent_shorthand_defs.h does not define ${s}`);
    if (s !== 'MA' && !flags.has(shorthand.get(s))) throw new Error(`sysent.h does not define ${shorthand.get(s)}`);
  }
  const files = ['data/strace/src/sysent.h', 'data/strace/src/sysent_shorthand_defs.h'];
  for (const build of BUILDS) {
    const [own, ...compat] = build.map((m) => m.split('@')[0]);
    const dir = TARGETS[own].file.split('/')[0];
    compat.forEach((id, i) => {
      const path = `data/strace/src/linux/${dir}/syscallent${i + 1}.h`;
      files.push(path);
      const inc = read(path).match(/#include "([^"]+)"/)?.[1];
      if (posix.normalize(posix.join(dir, inc ?? '')) !== TARGETS[id].file) throw new Error(`${path} does not include ${TARGETS[id].file}: BUILDS is wrong`);
    });
  }
  return files;
}

/** The call names of src/abi/call-index.ts, in its order (the format is in scripts/gen-abi.mjs). */
function callIndexNames() {
  const text = read('src/abi/call-index.ts');
  const literal = [...text.slice(text.indexOf('export const callIndex =')).matchAll(/'([^']*)'/g)].map((m) => m[1]).join('');
  return literal.split('|')[1].split(',').map((e) => e.split(':')[0]);
}

/** Sorted numbers as 'a-b,c,d-e'. */
function ranges(set) {
  const sorted = [...set].sort((a, b) => a - b);
  const out = [];
  for (const n of sorted) {
    const last = out[out.length - 1];
    if (last && n === last[1] + 1) last[1] = n;
    else out.push([n, n]);
  }
  return out.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
}

function builds(ids) {
  const out = BUILDS.map((b) => b.join(','));
  const grouped = new Set(BUILDS.flat().map((m) => m.split('@')[0]));
  for (const id of ids) {
    if (grouped.has(id)) continue;
    out.push(`${id}@${WORD64.has(id) ? 64 : 32}`);
  }
  return out;
}

/** A long string as concatenated literal lines of at most ~100 characters, ending in ';'. */
function chunk(s, indent = '  ') {
  const parts = s.split(/(?<=,)/);
  const out = [''];
  for (const p of parts) {
    if (out[out.length - 1].length + p.length > 96) out.push('');
    out[out.length - 1] += p;
  }
  return out.map((l, i) => `${indent}'${l}'${i === out.length - 1 ? ';' : ' +'}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { files, report, sources } = generate();
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
    console.log(`wrote ${path} (${content.length} bytes)`);
  }
  if (process.argv.includes('--report')) console.log([...report, 'read:', ...sources].join('\n'));
}
