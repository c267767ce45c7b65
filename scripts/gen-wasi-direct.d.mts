// Types for scripts/gen-wasi-direct.mjs, so TypeScript tests can import it.
export const OUT: string;
export function generate(): string;
export const SAMPLE_FIRST: number;
