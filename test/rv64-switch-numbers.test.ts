import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/linux-riscv64.js';
import { SWITCH_NUMBERS } from '../examples/rv64/src/switch-numbers.js';

describe('rv64 switch dispatcher', () => {
  it('numbers every call the same way the linux-riscv64 ABI does', () => {
    for (const [name, nr] of Object.entries(SWITCH_NUMBERS)) expect([name, abi.names[name]]).toEqual([name, nr]);
  });
});
