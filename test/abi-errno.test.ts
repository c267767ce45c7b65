// Each ABI carries its family's errno numbering and its ENOSYS convention.
import { describe, expect, it } from 'vitest';
import type { Abi } from '../src/abi/types.js';
import { abiIds } from '../src/abi/list.js';

const load = async (id: string): Promise<Abi> => ((await import(`../src/abi/${id}.ts`)) as { abi: Abi }).abi;

describe('abi errno', () => {
  it.each([
    ['linux-x86_64', 38], ['linux-i386', 38], ['linux-arm', 38], ['linux-riscv64', 38], ['linux-s390x', 38],
    ['linux-powerpc', 38], ['linux-powerpc64', 38],
    ['linux-mipso32', 89], ['linux-mips64n32', 89], ['linux-mips64', 89],
    ['linux-alpha', 78],
    ['linux-parisc', 251], ['linux-parisc64', 251],
    ['linux-sparc', 90], ['linux-sparc64', 90],
  ] as const)('%s has ENOSYS %d and returns -%d for a missing call', async (id, enosys) => {
    const abi = await load(id);
    expect(abi.errno.ENOSYS).toBe(enosys);
    expect(abi.enosys).toBe(-enosys);
    expect(abi.convention).toBe('negative');
  });

  it.each(abiIds.filter((id) => id.startsWith('linux-')))('%s: enosys is -errno.ENOSYS', async (id) => {
    const abi = await load(id);
    expect(abi.enosys).toBe(-abi.errno.ENOSYS!);
  });

  it('keeps family differences beyond ENOSYS', async () => {
    expect((await load('linux-x86_64')).errno.EAGAIN).toBe(11);
    expect((await load('linux-alpha')).errno.EAGAIN).toBe(35);
    expect((await load('linux-x86_64')).errno.EDEADLOCK).toBe(35);
    expect((await load('linux-powerpc')).errno.EDEADLOCK).toBe(58);
    expect((await load('linux-mips64')).errno.EDQUOT).toBe(1133);
    expect((await load('linux-x86_64')).errno.EWOULDBLOCK).toBe(11);
  });

  it('gives WASI its witx errno, positive, with uppercase aliases', async () => {
    const abi = await load('wasi-preview1');
    expect(abi.convention).toBe('positive');
    expect(abi.enosys).toBe(52);
    expect([abi.errno.success, abi.errno['2big'], abi.errno.badf, abi.errno.nosys, abi.errno.notcapable]).toEqual([0, 1, 8, 52, 76]);
    expect([abi.errno.E2BIG, abi.errno.EBADF, abi.errno.ENOSYS, abi.errno.ENOTCAPABLE]).toEqual([1, 8, 52, 76]);
    expect(abi.errno.ESUCCESS).toBe(undefined);
    expect(Object.keys(abi.errno)).toHaveLength(77 + 76);
  });
});
