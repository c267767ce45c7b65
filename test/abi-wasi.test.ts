// wasi-preview1 numbers its 46 functions in witx order, with lowered core signatures.
import { describe, expect, it } from 'vitest';
import { abi } from '../src/abi/wasi-preview1.js';

describe('abi wasi-preview1', () => {
  it('numbers the 46 witx functions from 0 in declaration order', () => {
    expect([abi.id, abi.base, abi.count, abi.extra]).toEqual(['wasi-preview1', 0, 46, []]);
    expect(Object.values(abi.names)).toEqual([...Array(46).keys()]);
    expect(abi.names.args_get).toBe(0);
    expect(abi.names.fd_write).toBe(Object.keys(abi.names).indexOf('fd_write'));
    expect(abi.names.sock_shutdown).toBe(45);
  });

  it('has one signature per function', () => {
    expect(Object.keys(abi.signatures!)).toEqual(Object.keys(abi.names));
  });

  it.each([
    ['fd_write', ['i32', 'i32', 'i32', 'i32'], ['i32']],
    ['fd_seek', ['i32', 'i64', 'i32', 'i32'], ['i32']],
    ['path_open', ['i32', 'i32', 'i32', 'i32', 'i32', 'i64', 'i64', 'i32', 'i32'], ['i32']],
    ['clock_time_get', ['i32', 'i64', 'i32'], ['i32']],
    ['proc_exit', ['i32'], []],
    ['args_sizes_get', ['i32', 'i32'], ['i32']],
    ['fd_pread', ['i32', 'i32', 'i32', 'i64', 'i32'], ['i32']],
    ['sock_recv', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], ['i32']],
    ['path_filestat_set_times', ['i32', 'i32', 'i32', 'i32', 'i64', 'i64', 'i32'], ['i32']],
    ['sched_yield', [], ['i32']],
  ])('%s lowers to (%j) -> %j', (name, params, results) => {
    expect(abi.signatures![name]).toEqual({ params, results });
  });
});
