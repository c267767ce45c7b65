// Types for scripts/extract-syscalls.mjs, so TypeScript tests can import it.
/** data/linux-syscalls architecture -> [Debian package, include root, entry header, predefined macros]. */
export const ARCHES: Record<string, [string, string, string, Record<string, string>]>;
/** Every call the headers of `arch` name, sorted by number, or undefined when its package is not installed. */
export function headerCalls(arch: string): [string, number][] | undefined;
