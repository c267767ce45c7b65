// A module's owner token, posted to another thread, lets that thread unload it.
import { describe, expect, it } from 'vitest';
import { createTable, SystabError } from 'systab';
import { abi } from 'systab/abi/linux-x86_64';
import { startRole } from './helpers/workers.js';

describe('unload from another thread', () => {
  it('works with the owner token and nothing else', async () => {
    const t = createTable({ abi });
    const m = t.load({ name: 'm', handlers: { getpid: () => 5 } });
    const w = startRole(t, 'unloader', { token: m.token });
    expect(await w.result()).toEqual({
      bad: { code: 'ENOTLOADED', message: 'the module this token names is not loaded (unloaded, or replaced by a newer load)' },
      after: -38,
    });
    expect(m.loaded).toBe(false);
    expect(t.call(abi.names.getpid!)).toBe(-38);
    t.verify();
  });

  it('refuses what is not a token, and a token of a module gone', async () => {
    const t = createTable({ abi });
    for (const bad of ['', 'fs', '0.1.a.b', '1.x.a.b', 42]) {
      expect(() => t.module(bad as never)).toThrow(new SystabError('EBADSPEC', `not a module token: ${typeof bad === 'string' ? JSON.stringify(bad) : bad}`));
      t.verify();
    }
    const m = t.load({ name: 'm', handlers: { getpid: () => 5 } });
    const token = m.token;
    expect(t.module(token).loaded).toBe(true);
    await m.unload();
    expect(() => t.module(token)).toThrow(new SystabError('ENOTLOADED', 'the module this token names is not loaded (unloaded, or replaced by a newer load)'));
    t.verify();
  });
});
