// Types for scripts/gen-trace-classes.mjs, so TypeScript tests can import it.
export interface TableEntry { index: number; nargs: number; flags: string; name: string; subcall: boolean }
export function generate(): { files: Record<string, string>; report: string[]; sources: string[] };
export function parseTable(file: string, defines?: Record<string, number | string>): { entries: TableEntry[]; files: string[] };
export function wasiFlags(name: string): string;
export const TARGETS: Record<string, { file: string; defines?: Record<string, number>; offset?: number; shuffled?: number; fallback?: string }>;
export const BUILDS: string[][];
export const LETTERS: Record<string, string>;
