// Types for scripts/gen-trace-signals.mjs.
export function signalsText(ids: string[]): { text: string; sources: string[] };
