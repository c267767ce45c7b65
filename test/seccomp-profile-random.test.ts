// Random small profiles (fast-check): random rules, actions, errnos, every
// operator with edge and random 64-bit values, on random sets of 64-bit and
// 32-bit arches (x86_64, x32, i386, arm, arm64, riscv64), compiled by systab
// and by libseccomp 2.5.4 (the rules runc adds), both run by systab's engine
// at each comparison's edges; and both against a reference model of
// libseccomp's semantics written here. Where rules of different actions
// match the same call, libseccomp's answer is its decision tree's shape (or
// it refuses the rule, EEXIST): there systab takes the profile's first
// matching rule, checked against the model only. Two bugs of libseccomp
// 2.5.4 this test found are kept apart: an arch whose filter never loads
// the call number (see loadsNr), and OR-ed rules on one argument merged
// into a wrong decision tree (the second property counts those calls).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileProfile } from '../src/seccomp/compile.js';
import { createSeccompEngine } from '../src/seccomp/engine.js';
import { abi as x86_64 } from '../src/abi/linux-x86_64.js';
import { abi as x32 } from '../src/abi/linux-x32.js';
import { abi as i386 } from '../src/abi/linux-i386.js';
import { abi as arm } from '../src/abi/linux-arm.js';
import { abi as arm64 } from '../src/abi/linux-arm64.js';
import { abi as riscv64 } from '../src/abi/linux-riscv64.js';
import type { Abi } from '../src/abi/types.js';
import { EDGE, edges, libseccompBuild, libseccompUnavailable, loadsNr, runcRules, type LsRule } from './helpers/seccomp-profile.js';

const why = libseccompUnavailable();
const ABIS: Record<string, Abi> = { 'linux-x86_64': x86_64, 'linux-x32': x32, 'linux-i386': i386, 'linux-arm': arm, 'linux-arm64': arm64, 'linux-riscv64': riscv64 };
const WIDE = new Set(['linux-x86_64', 'linux-arm64', 'linux-riscv64']);
// Calls with no socketcall/ipc multiplexing on i386; some an ABI lacks; one no ABI has.
// Calls some ABI lacks; one no ABI has; socket calls i386 also multiplexes (accept only through socketcall), an IPC call.
const NAMES = ['read', 'write', 'close', 'getppid', 'personality', 'prctl', 'madvise', 'dup3', 'fcntl', 'arch_prctl', 'riscv_flush_icache', 'no_such_call', 'socket', 'accept', 'shmget', 'socketcall', 'ipc'];
// libseccomp on i386: a rule on these is also one on the multiplexer with argument 0 its SYS_* / IPC number (linux/net.h, linux/ipc.h).
const MUX: Record<string, [string, bigint]> = { socket: ['socketcall', 1n], accept: ['socketcall', 5n], shmget: ['ipc', 23n] };
const OPS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];
const U64 = (1n << 64n) - 1n;
// One rule per name can still meet on i386: socketcall's own rule and accept's, multiplexed onto it. libseccomp 2.5.4 merges
// them into a tree that compares arg 2 with accept's SYS_ACCEPT (its jump skips the reload of arg 0), so it misses the
// LOG rule for socketcall(5, 0, 1): a found case (CI, 2026-12), kept as an example; such calls count as merged.
const MET_ON_I386 = JSON.parse(
  '{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[{"names":["shmget"],"action":"SCMP_ACT_TRACE","args":[{"index":1,"op":"SCMP_CMP_GE","value":"0xffffffff00000000","valueTwo":"0xd52d63709e615008"},{"index":2,"op":"SCMP_CMP_EQ","value":"0x8","valueTwo":"0x3ad607f57aa5e4f0"}]},{"names":["socketcall"],"action":"SCMP_ACT_TRACE","errnoRet":65535,"args":[{"index":0,"op":"SCMP_CMP_NE","value":"0xff00","valueTwo":"0x5543948abf08ac01"},{"index":2,"op":"SCMP_CMP_GT","value":"0xdca541ace6051a51","valueTwo":"0xffffffff"}]},{"names":["accept"],"action":"SCMP_ACT_LOG","args":[{"index":1,"op":"SCMP_CMP_LE","value":"0x20000","valueTwo":"0x8"},{"index":2,"op":"SCMP_CMP_NE","value":"0x8000000000000000","valueTwo":"0x100000000"}]}]}',
  (_, v) => (typeof v === 'string' && v.startsWith('0x') ? BigInt(v) : v),
);
const RUNS = Number(process.env.SYSTAB_PROFILE_RUNS ?? 120);

const arbValue = fc.oneof(fc.constantFrom(...EDGE, 2n, 8n, 0x20000n, 0xff00n, 0xffffffff00000000n, 0x123456789abcn), fc.bigInt({ min: 0n, max: U64 }));
const arbAction = fc.oneof(
  fc.record({ action: fc.constantFrom('SCMP_ACT_ALLOW', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY') }),
  fc.record({ action: fc.constantFrom('SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE'), errnoRet: fc.constantFrom(0, 1, 13, 38, 4095, 4096, 65535) }, { requiredKeys: ['action'] }),
);
const arbArg = fc.record({ index: fc.integer({ min: 0, max: 2 }), op: fc.constantFrom(...OPS), value: arbValue, valueTwo: arbValue }, { requiredKeys: ['index', 'op', 'value'] });
const arbEntry = fc.tuple(fc.subarray(NAMES, { minLength: 1, maxLength: 3 }), arbAction, fc.array(arbArg, { maxLength: 3 })).map(([names, a, args]) => ({ names, ...a, ...(args.length ? { args } : {}) }));
const arbProfile = fc.tuple(fc.constantFrom('SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_LOG', 'SCMP_ACT_TRAP'), fc.array(arbEntry, { minLength: 1, maxLength: 6 })).map(([d, syscalls]) => ({ defaultAction: d, ...(d === 'SCMP_ACT_ERRNO' ? { defaultErrnoRet: 38 } : {}), syscalls }));
// One entry per name, one comparison per argument: each number has at most one rule.
const arbSimple = fc.tuple(fc.constantFrom('SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_LOG', 'SCMP_ACT_TRAP'), fc.shuffledSubarray(NAMES, { minLength: 1, maxLength: 6 }).chain((names) =>
  fc.tuple(...names.map((n) => fc.tuple(arbAction, fc.uniqueArray(arbArg, { maxLength: 3, selector: (a) => a.index })).map(([a, args]) => ({ names: [n], ...a, ...(args.length ? { args } : {}) })))),
)).map(([d, syscalls]) => ({ defaultAction: d, ...(d === 'SCMP_ACT_ERRNO' ? { defaultErrnoRet: 38 } : {}), syscalls }));
const arbAbis = fc.shuffledSubarray(Object.keys(ABIS), { minLength: 1, maxLength: 3 }).filter((ids) => new Set(ids.map((id) => (id === 'linux-x32' ? 'linux-x86_64' : id))).size === ids.length || (ids.includes('linux-x86_64') && ids.includes('linux-x32')));

/** libseccomp's semantics for one call, as read from its sources: undefined where matching rules of different actions meet. */
function model(def: number, rules: LsRule[], ids: string[], id: string, nr: number, args: bigint[], arch: number | undefined): { action: number; first: number; ambiguous: boolean; merged?: boolean } {
  const fixed = (action: number): { action: number; first: number; ambiguous: boolean; merged?: boolean } => ({ action: capped(action), first: capped(action), ambiguous: false });
  // The arch picks the section (x86_64 and x32 share one), the number the ABI in it.
  const group = ids.filter((x) => archOf(x) === (arch ?? archOf(id)));
  if (group.length === 0) return fixed(0);
  const x32bit = nr >= 0x40000000;
  if (group.length === 1 && group[0] === 'linux-x86_64' && x32bit && nr !== 0xffffffff) return fixed(0);
  if (group.length === 1 && group[0] === 'linux-x32' && !x32bit) return fixed(0);
  const abi = group.length === 1 ? group[0]! : x32bit ? 'linux-x32' : 'linux-x86_64';
  const wide = WIDE.has(abi);
  const keep = wide ? U64 : 0xffffffffn;
  const mine = rules.flatMap((r): LsRule[] => {
    const m = abi === 'linux-i386' ? MUX[r.name] : undefined;
    const muxed: LsRule[] = m && ABIS[abi]!.names[m[0]] === nr ? [{ ...r, args: [[0, 4, m[1], 0n], ...r.args.filter(([i]) => i !== 0)] }] : [];
    return [...muxed, ...(ABIS[abi]!.names[r.name] === nr ? [r] : [])];
  });
  const checks = mine.map((r) => ({ action: r.action, holds: r.args.filter(([, op, a]) => !(op === 7 && (a & keep) === 0n)).map(([i, op, a, b]) => {
    const x = args[i]! & keep;
    const [m, d] = op === 7 ? [a & keep, b & a & keep] : [keep, a & keep];
    return [x & m, op, d] as const;
  }) }));
  const always = checks.find((c) => c.holds.length === 0);
  if (always) return fixed(always.action);
  const match = checks.filter((c) => c.holds.every(([x, op, d]) => [false, x !== d, x < d, x <= d, x === d, x >= d, x > d, x === d][op]));
  const merged = checks.length > 1;
  if (match.length === 0) return { ...fixed(def), merged };
  return { action: capped(match[0]!.action), first: capped(match[0]!.action), ambiguous: match.some((m) => m.action !== match[0]!.action), merged };
}
/** The engine answers ERRNO's data capped at MAX_ERRNO, as the kernel does. */
const capped = (a: number): number => ((a & 0xffff0000) >>> 0 === 0x00050000 ? (0x00050000 | Math.min(a & 0xffff, 4095)) >>> 0 : a >>> 0);
const archOf = (id: string): number => ({ 'linux-x86_64': 0xc000003e, 'linux-x32': 0xc000003e, 'linux-i386': 0x40000003, 'linux-arm': 0x40000028, 'linux-arm64': 0xc00000b7, 'linux-riscv64': 0xc00000f3 })[id]!;

describe.skipIf(why !== undefined)(`random profiles: systab, libseccomp and the model agree${why ? ` (skipped: ${why})` : ''}`, () => {
  const run = (arb: typeof arbProfile, strict: boolean): void => {
    const tally = { profiles: 0, refused: 0, bothRefused: 0, noNrLoad: 0, calls: 0, ambiguous: 0, ambiguousDiffer: 0 };
    const oursBad: string[] = [];
    const reasons: string[] = [];
    const lib1: string[] = [];
    const merged: string[] = [];
    fc.assert(
      fc.property(arb, arbAbis, fc.integer(), (profile, ids, seed) => {
        const abis = ids.map((id) => ABIS[id]!);
        const { def, rules } = runcRules(profile, ids[0]!, [], undefined);
        let ls;
        try {
          ls = libseccompBuild(def, ids, rules, NAMES);
        } catch (err) {
          ls = undefined; // seccomp_init refused the default action
          if (reasons.length < 3) reasons.push(String(err).slice(0, 300));
        }
        if (ls !== undefined && ls.failed.length > 0 && reasons.length < 3) reasons.push(ls.failed.join(', '));
        const refused = ls === undefined || ls.failed.length > 0;
        tally.profiles++;
        if (refused) tally.refused++;
        let ours;
        try {
          ours = compileProfile(profile, { abi: abis });
        } catch (err) {
          // systab refuses what libseccomp refuses for its action (an ERRNO of MAX_ERRNO or more): runc would fail too.
          // (libseccomp never sees a rule on a name it does not know: runc skips it first.)
          expect(err).toMatchObject({ code: 'EBADSPEC', message: expect.stringContaining('below MAX_ERRNO') });
          const tooBig = (a: number): boolean => (a & 0xffff0000) >>> 0 === 0x00050000 && (a & 0xffff) >= 4095;
          expect(refused || (!tooBig(def) && rules.filter((r) => tooBig(r.action)).every((r) => ls!.skipped.includes(r.name)))).toBe(true);
          tally.bothRefused++;
          return;
        }
        const e = createSeccompEngine();
        const specs = abis.map((a) => ({ id: a.id, base: a.base, count: a.count }));
        const mine = e.install([ours], { abis: specs });
        const theirs = refused ? undefined : e.install([ls!.bpf], { abis: specs });
        let rnd = seed;
        const pick = <T>(xs: T[]): T => xs[(rnd = (rnd * 1103515245 + 12345) & 0x7fffffff) % xs.length]!;
        // libseccomp 2.5.4's bug (see loadsNr): such an arch's calls all get its default; compared with the model only.
        const broken = theirs !== undefined && ids.some((id) => !loadsNr(ls!.bpf, archOf(id)));
        if (broken) tally.noNrLoad++;
        for (const id of ids) {
          for (const name of NAMES) {
            const nr = ABIS[id]!.names[name];
            if (nr === undefined) continue;
            const per: bigint[][] = [[0n, 1n, 5n, 23n], [0n], [0n]]; // (the multiplexed sub-call numbers)
            for (const s of profile.syscalls) for (const a of s.args ?? []) per[a.index]!.push(...edges(OPS.indexOf(a.op) + 1, a.value, a.valueTwo ?? 0n));
            const vectors: bigint[][] = [[0n, 0n, 0n, 0n, 0n, 0n]];
            for (let i = 0; i < 3; i++) for (const v of per[i]!) vectors.push([0, 1, 2].map((j) => (j === i ? v : 0n)).concat([0n, 0n, 0n]));
            for (let k = 0; k < 40; k++) vectors.push([pick(per[0]!), pick(per[1]!), pick(per[2]!), 0n, 0n, 0n]);
            const calls: [number, number | undefined][] = [[nr, undefined], [nr ^ 0x40000000, undefined], [nr, 0x40000003], [nr, 0xc000003e]];
            for (const [n, arch] of calls) {
              for (const args of vectors) {
                const data = { abi: id, nr: n, args, ...(arch !== undefined ? { arch } : {}) };
                const got = e.evaluate(mine, data);
                const want = model(def, rules, ids, id, n, args, arch);
                tally.calls++;
                if (want.ambiguous) tally.ambiguous++;
                const where = `on ${ids} (${id} nr ${n.toString(16)} arch ${arch?.toString(16)} args ${args.map((v) => v.toString(16))}) ${JSON.stringify(profile, (_, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}`;
                if (got !== want.first || e.evaluateUncached(mine, data) !== got) oursBad.push(`systab ${got.toString(16)}, the model ${want.first.toString(16)}: ${where}`);
                if (theirs === undefined || broken) continue;
                const lib = e.evaluate(theirs, data);
                if (want.ambiguous) {
                  if (lib !== got) tally.ambiguousDiffer++;
                } else if (lib !== want.action) (strict && !want.merged ? lib1 : merged).push(`libseccomp ${lib.toString(16)}, the model ${want.action.toString(16)}: ${where}`);
              }
            }
          }
        }
      }),
      { numRuns: RUNS, endOnFailure: true, examples: strict ? [[MET_ON_I386 as never, ['linux-i386', 'linux-riscv64'], 0]] : [] },
    );
    console.log(`random ${strict ? 'simple' : 'merged'} profiles: ${JSON.stringify(tally)}; libseccomp refused: ${reasons.join('; ')}; libseccomp differs from the model at ${merged.length} unambiguous calls${merged.length ? `, e.g. ${merged[0]}` : ''}`);
    expect(oursBad.slice(0, 3)).toEqual([]);
    expect(lib1.slice(0, 3)).toEqual([]);
    expect(tally.profiles - tally.refused).toBeGreaterThan(RUNS / 3);
    // One rule per call: libseccomp refuses only what systab refuses (no EEXIST without rules that meet); systab also refuses an ERRNO of 4095 on a name libseccomp does not know.
    if (strict) expect(tally.refused).toBeLessThanOrEqual(tally.bothRefused);
  };
  it(`${RUNS} profiles of one rule per call: systab = libseccomp = the model`, () => run(arbSimple, true), 300_000);
  // libseccomp 2.5.4 merges some rules of one call wrongly (GT and LT on one argument, split by runc): counted, not asserted.
  it(`${RUNS} profiles whose rules meet (names repeated, comparisons on one argument split by runc): systab = the model`, () => run(arbProfile, false), 300_000);
});
