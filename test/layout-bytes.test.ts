// The API sizes new memories and checks attached ones with its own copy of the
// layout formula (src/attach-check.ts); it must agree with the core's layoutBytes.
import { describe, expect, it } from 'vitest';
import { createTable } from 'systab';
import { abi as x86_64 } from 'systab/abi/linux-x86_64';
import { abi as arm } from 'systab/abi/linux-arm';
import { abi as wasi } from 'systab/abi/wasi-preview1';
import { layoutBytes } from '../src/attach-check.js';
import * as L from '../assembly/layout.js';
import { coreLayoutBytes } from './helpers/regions.js';

const module = createTable({ abi: wasi, maxWorkers: 1 }).describe().module;

describe('layoutBytes', () => {
  it.each([
    [1, 2, 2, 1],
    [46, 2, 2, 1],
    [46, 3, 3, 3],
    [472, 4096, 256, 16],
    [478, 4096, 256, 16],
    [472, 65536, 2, 1],
    [472, 7, 5, 1024],
    [1000, 1001, 1003, 7],
    [4000, 65536, 65536, 64],
  ])('slots %d, handlers %d, modules %d, workers %d: src/attach-check.ts equals the core', (s, h, m, w) => {
    for (const c of [1, 16, 255]) {
      expect(layoutBytes(s, h, m, w, c)).toBe(coreLayoutBytes(module, s, h, m, w, c));
      expect(layoutBytes(s, h, m, w, c) % 8).toBe(0);
    }
  });

  it.each([
    [x86_64, {}],
    [arm, { maxHandlers: 65536 }],
    [wasi, { maxHandlers: 2, maxModules: 2, maxWorkers: 1 }],
    [x86_64, { maxWorkers: 1024, maxHandlers: 3 }],
  ] as const)('createTable sizes its memory to the page the core needs (%#)', (abi, o) => {
    const t = createTable({ abi, ...o });
    const bytes = new Int32Array(t.describe().memory.buffer)[L.H_BYTES]!;
    expect(t.describe().memory.buffer.byteLength).toBe(Math.ceil(bytes / 65536) * 65536);
    t.verify();
  });
});
