// Shared test helpers: exact SystabError assertions and fresh tables.
import { expect } from 'vitest';
import { createTable, SystabError, type Table, type SystabErrorCode } from 'systab';
import { abi as x86_64 } from 'systab/abi/linux-x86_64';

/** Runs `fn` and asserts it throws a SystabError with exactly this code and message. */
export function expectSystabError(fn: () => unknown, code: SystabErrorCode, message: string): SystabError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected ${code}: ${message}`).toBeInstanceOf(SystabError);
  const err = thrown as SystabError;
  expect({ code: err.code, message: err.message }).toEqual({ code, message });
  expect(err.name).toBe('SystabError');
  return err;
}

/** Awaits `p` and asserts it rejects with a SystabError with exactly this code and message. */
export async function expectSystabRejection(p: Promise<unknown>, code: SystabErrorCode, message: string): Promise<SystabError> {
  let thrown: unknown;
  try {
    await p;
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected ${code}: ${message}`).toBeInstanceOf(SystabError);
  const err = thrown as SystabError;
  expect({ code: err.code, message: err.message }).toEqual({ code, message });
  return err;
}

/** A fresh linux-x86_64 table (ENOSYS is -38; read 0, write 1, open 2, close 3, lseek 8, socket 41, connect 42). */
type X86Options = { maxHandlers?: number; maxModules?: number; maxWorkers?: number; shared?: boolean };
export function x86Table(options: X86Options & { async: true }): Table<string, number | Promise<number>>;
export function x86Table(options?: X86Options): Table;
export function x86Table(options: X86Options & { async?: boolean } = {}): Table<string, number | Promise<number>> {
  return createTable({ abi: x86_64, ...options });
}

export const ENOSYS = -38;

/** The longest module name in UTF-8 bytes (assembly/layout.ts NAME_MAX_BYTES; part of the documented API). */
export const NAME_MAX_BYTES = 40;
