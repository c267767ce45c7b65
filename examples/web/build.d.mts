// Types for examples/web/build.mjs, so TypeScript tests can import it.
/** examples/web/dist. */
export const distDir: string;
/** Bundles the page and its worker, compiles the guests, copies the static files; resolves to distDir. Needs systab's dist/ (npm run build). */
export function buildWeb(): Promise<string>;
