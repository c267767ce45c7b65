// Every generated Linux ABI against its architecture's uapi headers, read
// from Debian's linux-libc-dev-<arch>-cross packages (.ci/run installs them):
// every __NR_ name there is in the ABI with the same number, the committed
// data/linux-uapi-syscalls file is what the headers say, and the numbers the
// ABI marks unimplemented are exactly the header numbers no call of the
// kernel's table (data/linux-syscalls) implements.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Abi } from '../src/abi/types.js';
import { ARCHES, headerCalls } from '../scripts/extract-syscalls.mjs';
import { abiIds } from '../src/abi/list.js';

const load = async (arch: string): Promise<Abi> => ((await import(`../src/abi/linux-${arch}.ts`)) as { abi: Abi }).abi;
const tsv = (path: string): [string, number][] =>
  readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')
    .split('\n')
    .map((l) => l.split('\t'))
    .filter(([, nr]) => nr)
    .map(([name, nr]) => [name!, Number(nr)]);

describe.each(Object.entries(ARCHES))('linux-%s against its uapi headers', (arch, [pkg, root, entry]) => {
  const present = existsSync(`${root}/${entry}`);
  const why = present ? '' : ` (skipped: ${pkg} is not installed; apt-get install ${pkg})`;

  it.skipIf(!present)(`names every call of ${root}/${entry} with its number${why}`, async () => {
    const abi = await load(arch);
    const calls = headerCalls(arch)!;
    expect(calls.length).toBeGreaterThan(250);
    for (const [name, nr] of calls) expect([name, abi.names[name]]).toEqual([name, nr]);
  });

  it.skipIf(!present)(`data/linux-uapi-syscalls/${arch}.tsv is what the headers say (run node scripts/extract-syscalls.mjs)${why}`, () => {
    expect(tsv(`data/linux-uapi-syscalls/${arch}.tsv`)).toEqual(headerCalls(arch));
  });

  it.skipIf(!present)(`marks unimplemented exactly the header numbers the kernel's table has no call for${why}`, async () => {
    const abi = await load(arch);
    const implemented = new Set(tsv(`data/linux-syscalls/${arch}`).map(([, nr]) => nr));
    const expected = [...new Set(headerCalls(arch)!.map(([, nr]) => nr).filter((nr) => !implemented.has(nr)))].sort((a, b) => a - b);
    expect(abi.unimplemented).toEqual(expected);
  });
});

describe('uapi header coverage', () => {
  it('covers every generated Linux ABI but those Debian packages no headers for', () => {
    const arches = abiIds.filter((id) => id.startsWith('linux-')).map((id) => id.slice('linux-'.length));
    const without = arches.filter((arch) => !Object.hasOwn(ARCHES, arch));
    expect(without).toEqual(['csky', 'hexagon', 'loongarch32', 'loongarch64', 'microblaze', 'nios2', 'openrisc', 'xtensa']);
  });
});
