// The README's WASI section runs as written: each ```js block there, as a
// module of its own (in examples/wasi/build/, so 'systab' resolves to this package).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('### systab/wasi: a WASI host'), readme.indexOf('## Development'));
const blocks = [...section.matchAll(/^( *)```js\n([\s\S]*?)^\1```$/gm)].map((m) => m[2]!.replace(new RegExp(`^${m[1]}`, 'gm'), ''));
const dir = new URL('../examples/wasi/build/', import.meta.url);

function run(i: number) {
  mkdirSync(dir, { recursive: true });
  const file = new URL(`readme-wasi-${i}.mjs`, dir);
  writeFileSync(file, blocks[i]!);
  return spawnSync(process.execPath, [file.pathname], { encoding: 'utf8', timeout: 30_000 });
}

it('the section has its four code blocks', () => {
  expect(blocks).toHaveLength(4);
});

it('the shim block runs flite -lv through systab and prints its exit code and counts', () => {
  const r = run(0);
  expect(r.stderr).toBe('');
  expect(r.stdout).toContain('Voices available: kal awb_time kal16 awb rms slt \nexit code 0\n');
  expect(r.stdout).toContain('args_get 1/0 args_sizes_get 1/0 fd_fdstat_get 1/0 fd_prestat_get 1/1 fd_write 1/0 proc_exit 1/1\n');
  expect(r.status).toBe(0);
});

it('the node:wasi block runs the same program with the same exit code', () => {
  const r = run(1);
  expect(r.stdout).toBe('Voices available: kal awb_time kal16 awb rms slt \nexit code 0\n');
  expect(r.status).toBe(0);
});

it('the layering block answers 58 from the module over the shims', () => {
  const r = run(2);
  expect(r.stdout).toBe('58\n');
  expect(r.status).toBe(0);
});

it('the wasiWraps block adds 1 to 2^60+5 exactly', () => {
  const r = run(3);
  expect(r.stdout).toBe('1152921504606846982n\n');
  expect(r.status).toBe(0);
});
