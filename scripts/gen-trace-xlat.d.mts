// Types for scripts/gen-trace-xlat.mjs, so TypeScript tests can import it.
export const XLAT_FILES: string[];
export const EXTRA_NAMES: Record<string, string[]>;
export const ARCHES: string[];
export function generateXlat(): string;
export function generateStrerror(): string;
export const OUTPUTS: Record<string, () => string>;
