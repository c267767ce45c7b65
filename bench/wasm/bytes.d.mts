// Types for bench/wasm/bytes.mjs (used by test/helpers/wasm.ts).
export const HEADER: number[];
export const I32: number;
export const I64: number;
export const FUNCREF: number;
export function uleb(n: number): number[];
export function sleb(v: number | bigint): number[];
export function str(s: string): number[];
export function vec(items: number[][]): number[];
export function section(id: number, body: number[]): number[];
