// A table another thread cannot attach to (made with shared: false, or where
// SharedArrayBuffer is missing: a page that is not cross-origin isolated)
// must say so with the documented EATTACH, on the thread that made it,
// before anything is posted (posting an unshared memory would throw the
// host's DataCloneError first): describe() throws it.
import { describe, expect, it } from 'vitest';
import { createTable, SystabError } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';

const NO_SAB = 'needs SharedArrayBuffer, which this context lacks (a page must be cross-origin isolated: COOP same-origin and COEP require-corp)';

function post(value: unknown): void {
  const { port1, port2 } = new MessageChannel();
  try {
    port1.postMessage(value);
  } finally {
    port1.close();
    port2.close();
  }
}

/** Runs `fn` as in a context without SharedArrayBuffer. */
function withoutSab<T>(fn: () => T): T {
  const g = globalThis as { SharedArrayBuffer?: SharedArrayBufferConstructor };
  const sab = g.SharedArrayBuffer;
  delete g.SharedArrayBuffer;
  try {
    return fn();
  } finally {
    g.SharedArrayBuffer = sab;
  }
}

function codeAndMessage(fn: () => unknown): [string, string] | 'no error' | unknown {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return e instanceof SystabError ? [e.code, e.message] : e;
  }
}

describe('describe() of a table no other thread can attach to', () => {
  it('a shared table: describe() posts', () => {
    expect(() => post(createTable({ abi }).describe())).not.toThrow();
  });

  it('shared: false: describe() throws EATTACH, naming the option', () => {
    const t = createTable({ abi, shared: false });
    expect(codeAndMessage(() => t.describe())).toEqual(['EATTACH', 'describe() is for attach() in another thread, which needs a shared table; this one was made with shared: false']);
  });

  it('without SharedArrayBuffer: describe() throws EATTACH, saying what the page lacks', () => {
    // As on such a page: SharedArrayBuffer stays missing.
    expect(withoutSab(() => codeAndMessage(() => createTable({ abi }).describe()))).toEqual(['EATTACH', `describe() is for attach() in another thread, which ${NO_SAB}`]);
  });

  it('the table itself works in its thread either way', () => {
    for (const t of [createTable({ abi, shared: false }), withoutSab(() => createTable({ abi }))]) {
      t.load({ name: 'p', handlers: { getpid: () => 5 } });
      expect(t.call(39)).toBe(5);
      t.verify();
    }
  });
});
