// node:path in the browser bundle: resolve() for --mount's host paths, which a page has none of.
export const resolve = (...parts: string[]): string => {
  let out = '/';
  for (const p of parts) out = p.startsWith('/') ? p : `${out.replace(/\/$/, '')}/${p}`;
  return out;
};
