// bench/filter: what a seccomp filter on a table costs its calls (issue 14,
// section 5). Not a test: `npm run bench:filter` (or `node bench/filter.mjs
// [--ci]` after a build). Each group is one compare() run of the harness
// (interleaved rounds, median of per-round ratios to the group's baseline).
//   allow     a filter whose every action for the sequence's numbers is a
//             proven ALLOW (an allow-list: arch check, the sequence's calls
//             allowed, the rest EPERM) vs no filter, over the suites' mixed
//             sequence of implemented calls: target <= 1.05x
//   errno     a number the filter answers with a proven ERRNO vs the same
//             number with no handler and no filter (the ENOSYS path)
//   stacked   one vs four stacked filters on proven numbers (ALLOW and ERRNO
//             mixed): target equal within noise
//   beyond    numbers beyond the table (which reach the filter on the slow
//             path) with a filter vs without: ns per call
//   thread    another thread's own filter (its per-thread chain) on a
//             number vs no filter: this thread's cost of that number, which
//             takes the plug path only because the slot word is shared; as
//             a thread holding no filters, and as one joined to the
//             table's (an allow-all table-wide set)
import { createTable } from 'systab';
import { attach } from 'systab';
import { attachFilter, filterThread, filterTable, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS } from 'systab/seccomp';
import { abi } from 'systab/abi/linux-x86_64';
import { compare, consume, envInfo, printCompare, roundsFor } from './harness.mjs';
import { CALLS, MISSING_OOR, mixedSequence } from './lib/calls.mjs';
import { loadHandlers, tableLoop } from './lib/contenders.mjs';

const ci = process.argv.includes('--ci');
const rounds = roundsFor(ci);
const time = ci ? 25 : 250;
const warmupTime = ci ? 10 : 100;
const ld = (k) => ({ code: 0x20, jt: 0, jf: 0, k });
const jeq = (k, jt, jf) => ({ code: 0x15, jt, jf, k });
const ret = (k) => ({ code: 0x06, jt: 0, jf: 0, k });
const AUDIT_ARCH_X86_64 = 0xc000003e;

/** libseccomp's shape of an allow-list: the arch, one comparison per allowed number, the rest ERRNO. */
function allowList(allowed, otherwise = SECCOMP_RET_ERRNO | 1) {
  const p = [ld(4), jeq(AUDIT_ARCH_X86_64, 1, 0), ret(SECCOMP_RET_KILL_PROCESS), ld(0)];
  allowed.forEach((nr, i) => p.push(jeq(nr, allowed.length - i, 0)));
  p.push(ret(otherwise), ret(SECCOMP_RET_ALLOW));
  return p;
}
const implemented = CALLS.map(([name]) => abi.names[name]);
const fresh = () => {
  const t = createTable({ abi });
  loadHandlers(t);
  return t;
};
const wrap = (contenders, calls) => contenders.map((c) => ({ ...c, calls, fn: ((f) => () => consume(f()))(c.fn) }));
async function group(title, baseline, contenders, calls) {
  console.log(`\n## ${title}\n`);
  const results = await compare({ baseline, rounds, time, warmupTime, contenders: wrap(contenders, calls) });
  printCompare(results);
  return results;
}
console.log(`# bench/filter: ${JSON.stringify(envInfo())}`);
console.log('The machine is shared (2 cores, other work running): single rounds swing; read the medians of per-round ratios.');

const seq = mixedSequence(1000, 0x5eed, { implementedOnly: true });
const plain = fresh();
const allowed = fresh();
filterTable(allowed, [allowList(implemented)]);
await group('proven ALLOW vs no filter (target <= 1.05x)', 'no filter', [
  { name: 'no filter', fn: tableLoop(plain, seq) },
  { name: 'allow-list filter', fn: tableLoop(allowed, seq) },
], seq.nrs.length);

// errno: ptrace (101) has no handler; with the filter it answers EPERM (proven), without it ENOSYS.
const PTRACE = abi.names.ptrace;
const N = 1000;
const loopOf = (t, nr) => () => {
  let s = 0;
  for (let i = 0; i < N; i++) s += t.call(nr, i, 0, 0);
  return s;
};
const enosysT = fresh();
const errnoT = fresh();
filterTable(errnoT, [allowList(implemented)]);
await group('proven ERRNO vs the ENOSYS path (no filter, no handler)', 'ENOSYS, no filter', [
  { name: 'ENOSYS, no filter', fn: loopOf(enosysT, PTRACE) },
  { name: 'proven ERRNO', fn: loopOf(errnoT, PTRACE) },
], N);

// stacked: the same allow-list once and four times; calls of allowed and refused (proven) numbers.
const mixed = Array.from({ length: N }, (_, i) => (i % 4 === 0 ? PTRACE : implemented[i % implemented.length]));
const mixedLoop = (t) => () => {
  let s = 0;
  for (let i = 0; i < N; i++) s += t.call(mixed[i], i, 0, 0);
  return s;
};
const oneF = fresh();
filterTable(oneF, [allowList(implemented)]);
const fourF = fresh();
filterTable(fourF, Array.from({ length: 4 }, () => allowList(implemented)));
await group('one vs four stacked filters, proven numbers (target: equal)', 'one filter', [
  { name: 'one filter', fn: mixedLoop(oneF) },
  { name: 'four filters', fn: mixedLoop(fourF) },
], N);

// beyond: numbers past the table, which a filtering thread sends to its filter.
const beyond = Array.from({ length: N }, (_, i) => MISSING_OOR[i % MISSING_OOR.length]);
const beyondLoop = (t) => () => {
  let s = 0;
  for (let i = 0; i < N; i++) s += t.call(beyond[i], i, 0, 0);
  return s;
};
const noF = fresh();
const withF = fresh();
filterTable(withF, [allowList(implemented)]);
await group('numbers beyond the table: with a filter (evaluated) vs without (ENOSYS on the hot path)', 'no filter', [
  { name: 'no filter', fn: beyondLoop(noF) },
  { name: 'filter', fn: beyondLoop(withF) },
], N);

// thread: another thread's own chain filters NR (a second attach() on this thread stands for it: the cost is in this thread's slot word and policy).
const NR = implemented[0];
const ownOnNr = [ld(0), jeq(NR, 0, 1), ret(SECCOMP_RET_ERRNO | 1), ret(SECCOMP_RET_ALLOW)];
const quiet = fresh();
const nearUnjoined = fresh();
filterThread(attach(nearUnjoined.describe()), [ownOnNr]);
const nearJoined = fresh();
const tableF = filterTable(nearJoined, [[ret(SECCOMP_RET_ALLOW)]]);
attachFilter(attach(nearJoined.describe()), tableF.describe()).stack([ownOnNr], { thread: true });
if (quiet.call(NR, 1, 0, 0) !== nearUnjoined.call(NR, 1, 0, 0) || quiet.call(NR, 1, 0, 0) !== nearJoined.call(NR, 1, 0, 0)) throw new Error('bench/filter: another thread\'s own filter changed this thread\'s answer');
await group(`another thread's own filter on this number (${CALLS[0][0]}, ${NR}) vs no filter: this thread's cost`, 'no filter', [
  { name: 'no filter', fn: loopOf(quiet, NR) },
  { name: "other's own filter, this thread holds none", fn: loopOf(nearUnjoined, NR) },
  { name: "other's own filter, this thread joined", fn: loopOf(nearJoined, NR) },
], N);
