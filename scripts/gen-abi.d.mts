// Types for scripts/gen-abi.mjs, so TypeScript tests can import it.
export function generate(): Record<string, string>;
export function ranges(numbers: number[]): { main: { base: number; count: number }; extra: { base: number; count: number }[] };
export function parseWitx(text: string): unknown[];
