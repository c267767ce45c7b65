// The dispatchers a user could write instead of systab, all over the same
// handlers, and systab's table.call, each wrapped as a loop over a sequence.
import EventEmitter from 'eventemitter3';
import { createTable } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { CALLS, ENOSYS, NUMBERS, makeJsHandlers } from './calls.mjs';

const enosys = () => ENOSYS;

let compiled = 0;

/**
 * A loop over `seq` whose every call is `callee(head a0..a5)` (`target` is in
 * scope), compiled from source each time so every loop has its own call site
 * and type feedback: closures of one function literal share theirs, and V8
 * caches identical Function() sources, so each source carries a tag. Shared,
 * a loop neither kept its own feedback nor got its target folded in as a
 * constant: every loop after the first ran about 10% slower on the same code.
 */
function compileLoop(name, callee, head, target, seq) {
  const tag = ++compiled;
  // eslint-disable-next-line no-new-func
  return new Function('target', 'enosys', 'nrs', 'args', 'length', `// ${name} ${tag}\nreturn function ${name}() {
    let acc = 0;
    for (let i = 0, j = 0; i < length; i++, j += 6) acc = (acc + ${callee}(${head}args[j], args[j + 1], args[j + 2], args[j + 3], args[j + 4], args[j + 5])) | 0;
    return acc;
  };`)(target, enosys, seq.nrs, seq.args, seq.length);
}

/** The baseline: `(arr[nr] ?? enosys)(...)`, arr holding a handler per implemented number. */
export const arrayLoop = (arr, seq) => compileLoop('array', '(target[nrs[i]] ?? enosys)', '', arr, seq);

/** systab: `t.call(nr, ...)`. */
export const tableLoop = (t, seq) => compileLoop('tableLoop', 'target.call', 'nrs[i], ', t, seq);

/** Number -> name for the whole ABI (so named-but-missing calls look up a name the object lacks). */
function nameTable() {
  const names = [];
  for (const [name, nr] of Object.entries(abi.names)) names[nr] = name;
  for (let i = 0; i < names.length; i++) if (names[i] === undefined) names[i] = undefined;
  return names;
}

/** A switch over the implemented numbers, generated so each case calls its handler directly (as QEMU and blink do). */
function makeSwitch(handlers) {
  const params = handlers.map((_, i) => `h${i}`);
  const cases = NUMBERS.map((nr, i) => `    case ${nr}: return h${i}(a0, a1, a2, a3, a4, a5);`).join('\n');
  const src = `return function dispatchSwitch(nr, a0, a1, a2, a3, a4, a5) {\n  switch (nr) {\n${cases}\n    default: return ${ENOSYS};\n  }\n};`;
  // eslint-disable-next-line no-new-func
  return new Function(...params, src)(...handlers);
}

/**
 * The by-hand loop's work as the function an emulator would write,
 * `dispatch(nr, a0..a5)`; compiled from tagged source like compileLoop's
 * loops, so no two measurements share its feedback.
 */
function handDispatch(bell, arr) {
  const tag = ++compiled;
  // eslint-disable-next-line no-new-func
  return new Function('bell', 'arr', 'enosys', `// handDispatch ${tag}
  return function handDispatch(nr, a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0) {
    if (bell[0] !== 0) throw new Error('bench: nobody rings this doorbell');
    return (arr[nr] ?? enosys)(a0, a1, a2, a3, a4, a5);
  };`)(bell, arr, enosys);
}

/**
 * Builds every dispatcher over fresh copies of the handlers (one set of
 * function objects shared by all dispatchers) and the loops that drive them.
 * Each loop returns a checksum; all must agree.
 */
export function makeDispatchers(seq, { table } = {}) {
  const handlers = makeJsHandlers();
  const t = table ?? createTable({ abi });
  t.load({ name: 'bench', handlers: Object.fromEntries(CALLS.map(([name], i) => [name, handlers[i]])) });

  const arr = new Array(abi.count).fill(undefined);
  NUMBERS.forEach((nr, i) => (arr[nr] = handlers[i]));

  const sw = makeSwitch(handlers);

  // The array again, doing by hand what table.call does beyond it on every
  // call with its switches off: check a doorbell in shared memory (has another
  // thread changed the table?). It reads the six arguments first, as every
  // dispatcher that takes them does (the array's call reads them too);
  // reading them only for a handler made it 0.3x-0.45x cheaper than any
  // function with this signature can be.
  const bell = new Int32Array(new SharedArrayBuffer(4));
  const seen = 0;

  const names = nameTable();
  const byName = {};
  CALLS.forEach(([name], i) => (byName[name] = handlers[i]));

  const ee = new EventEmitter();
  let eeResult = 0;
  CALLS.forEach(([name], i) => {
    const h = handlers[i];
    ee.on(name, (a0, a1, a2, a3, a4, a5) => {
      eeResult = h(a0, a1, a2, a3, a4, a5);
    });
  });

  const { nrs, args, length } = seq;
  const loops = {
    array: arrayLoop(arr, seq),
    'systab table.call': tableLoop(t, seq),
    'array + doorbell (by hand)'() {
      let acc = 0;
      for (let i = 0, j = 0; i < length; i++, j += 6) {
        const a0 = args[j], a1 = args[j + 1], a2 = args[j + 2], a3 = args[j + 3], a4 = args[j + 4], a5 = args[j + 5];
        if (bell[0] !== seen) throw new Error('bench: nobody rings this doorbell');
        acc = (acc + (arr[nrs[i]] ?? enosys)(a0, a1, a2, a3, a4, a5)) | 0;
      }
      return acc;
    },
    'the same as a dispatch function (by hand)': compileLoop('handFnLoop', 'target', 'nrs[i], ', handDispatch(bell, arr), seq),
    switch: compileLoop('switchLoop', 'target', 'nrs[i], ', sw, seq),
    'object by name'() {
      let acc = 0;
      for (let i = 0, j = 0; i < length; i++, j += 6) {
        const f = byName[names[nrs[i]]];
        acc = (acc + (f !== undefined ? f(args[j], args[j + 1], args[j + 2], args[j + 3], args[j + 4], args[j + 5]) : ENOSYS)) | 0;
      }
      return acc;
    },
    'eventemitter3 emit'() {
      let acc = 0;
      for (let i = 0, j = 0; i < length; i++, j += 6) {
        const name = names[nrs[i]];
        const r = name !== undefined && ee.emit(name, args[j], args[j + 1], args[j + 2], args[j + 3], args[j + 4], args[j + 5]) ? eeResult : ENOSYS;
        acc = (acc + r) | 0;
      }
      return acc;
    },
  };
  // The same answers from every dispatcher, or the comparison is void.
  const sums = Object.entries(loops).map(([k, f]) => [k, f()]);
  const want = sums[0][1];
  for (const [k, s] of sums) if (s !== want) throw new Error(`bench: ${k} checksum ${s} differs from array's ${want}`);
  return { loops, table: t, handlers, checksum: want };
}

/** Loads the benchmark's handlers into table `t` as module `name`. */
export function loadHandlers(t, name = 'bench', handlers = makeJsHandlers()) {
  return t.load({ name, handlers: Object.fromEntries(CALLS.map(([call], i) => [call, handlers[i]])) });
}
