/** Bundles examples/rv64/src/main.ts (systab external) to outfile, by default examples/rv64/dist/rv64.mjs. */
export function buildRv64(outfile?: string): Promise<void>;
