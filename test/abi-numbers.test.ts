// Generated ABI numbering matches data/linux-syscalls, range by range.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Abi } from '../src/abi/types.js';
import { abiName } from '../src/abi/lookup.js';
import { abiIds } from '../src/abi/list.js';

const load = async (id: string): Promise<Abi> => ((await import(`../src/abi/${id}.ts`)) as { abi: Abi }).abi;

// name -> number as the data file says, empty numbers left out.
function dataFile(arch: string, folder = 'linux-syscalls', ext = ''): Map<string, number> {
  const url = new URL(`../data/${folder}/${arch}${ext}`, import.meta.url);
  if (folder !== 'linux-syscalls' && !existsSync(url)) return new Map();
  const text = readFileSync(url, 'utf8');
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [name, nr] = line.split('\t');
    if (name && nr) out.set(name, Number(nr));
  }
  return out;
}

const linuxIds = abiIds.filter((id) => id.startsWith('linux-'));

describe('abi numbers', () => {
  it('has one ABI per data/linux-syscalls architecture, plus wasi-preview1', () => {
    expect(linuxIds).toHaveLength(30);
    expect(abiIds).toContain('wasi-preview1');
    expect(abiIds).toHaveLength(31);
  });

  it.each([
    ['x86_64', 'write', 1], ['x86_64', 'openat', 257], ['x86_64', 'exit_group', 231],
    ['riscv64', 'write', 64], ['riscv64', 'openat', 56], ['riscv64', 'exit_group', 94],
    ['arm64', 'write', 64], ['arm64', 'openat', 56], ['arm64', 'exit_group', 94],
    ['i386', 'write', 4], ['arm', 'write', 4], ['arm', 'set_tls', 0x0f0005],
    ['armoabi', 'write', 0x900004], ['mipso32', 'write', 4004], ['mips64', 'write', 5001],
    ['mips64n32', 'write', 6001], ['x32', 'write', 0x40000001],
  ] as const)('linux-%s %s = %d, as the data file says', async (arch, name, nr) => {
    const abi = await load(`linux-${arch}`);
    expect(abi.names[name]).toBe(nr);
    expect(dataFile(arch).get(name)).toBe(nr);
  });

  it.each([
    ['x86_64', 0, 472, []],
    ['arm', 0, 472, [{ base: 0x0f0001, count: 6 }]],
    ['armoabi', 0x900000, 472, [{ base: 0x9f0001, count: 6 }]],
    ['x32', 0x40000000, 548, []],
    ['mipso32', 4000, 472, []],
    ['mips64', 5000, 472, []],
    ['mips64n32', 6000, 472, []],
    ['s390x', 1, 471, []],
  ] as const)('linux-%s has base %d, count %d and extra ranges %j', async (arch, base, count, extra) => {
    const abi = await load(`linux-${arch}`);
    expect([abi.base, abi.count, abi.extra]).toEqual([base, count, extra]);
  });

  it.each(linuxIds)('%s names exactly the numbered lines of its data files (kernel table and uapi headers)', async (id) => {
    const abi = await load(id);
    const data = dataFile(id.slice('linux-'.length));
    for (const [name, nr] of dataFile(id.slice('linux-'.length), 'linux-uapi-syscalls', '.tsv')) {
      expect([name, data.get(name) ?? nr]).toEqual([name, nr]);
      data.set(name, nr);
    }
    expect(Object.keys(abi.names)).toHaveLength(data.size);
    expect(new Map(Object.entries(abi.names))).toEqual(data);
  });

  it.each(linuxIds)('%s puts every number in a range, and every range starts and ends on a call', async (id) => {
    const abi = await load(id);
    const ranges = [{ base: abi.base, count: abi.count }, ...abi.extra];
    const used = new Set(Object.values(abi.names));
    for (const nr of used) expect(ranges.some((r) => nr >= r.base && nr < r.base + r.count)).toBe(true);
    for (const r of ranges) {
      expect(used.has(r.base)).toBe(true);
      expect(used.has(r.base + r.count - 1)).toBe(true);
    }
  });

  it("shares numbers between names only for the aliases of linux-alpha and ARM's sync_file_range2", async () => {
    const shared: Record<string, string[][]> = {};
    for (const id of abiIds) {
      const byNr = new Map<number, string[]>();
      for (const [name, nr] of Object.entries((await load(id)).names)) byNr.set(nr, [...(byNr.get(nr) ?? []), name]);
      const groups = [...byNr.values()].filter((g) => g.length > 1);
      if (groups.length) shared[id] = groups.map((g) => g.sort());
    }
    expect(shared).toEqual({
      'linux-alpha': [['getpid', 'getxpid'], ['umount', 'umount2'], ['getuid', 'getxuid'], ['getgid', 'getxgid'], ['osf_shmat', 'shmat']],
      'linux-arm': [['arm_sync_file_range', 'sync_file_range2']],
      'linux-armoabi': [['arm_sync_file_range', 'sync_file_range2']],
    });
  });

  it.each(abiIds)('%s maps every number back to a name with that number', async (id) => {
    const abi = await load(id);
    for (const [name, nr] of Object.entries(abi.names)) {
      const back = abiName(abi, nr);
      expect(back === undefined ? undefined : abi.names[back]).toBe(nr);
      if (id === 'linux-alpha') continue;
      // ARM's headers alias arm_sync_file_range to the kernel table's sync_file_range2, which names the number.
      expect(back).toBe(name === 'arm_sync_file_range' ? 'sync_file_range2' : name);
    }
  });
});
