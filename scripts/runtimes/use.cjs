// CommonJS (Node 20.19 and later: require() of ES modules): the same
// entry points as import, printed as one JSON line.
const { createTable, SystabError } = require('systab');
const { abi } = require('systab/abi/linux-x86_64');
const { wasiImports } = require('systab/wasi');

const t = createTable({ abi });
t.load({ name: 'm', handlers: { getpid: () => 4242 } });
let code;
try {
  createTable({ abi, bogus: 1 });
} catch (e) {
  code = e instanceof SystabError ? e.code : String(e);
}
console.log(JSON.stringify({ getpid: t.call(39), openat: t.call(257), wasiImports: typeof wasiImports, error: code }));
