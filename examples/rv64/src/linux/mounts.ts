// --mount=HOST:GUEST[:rw]: host directories in the guest's tree.
import * as fs from 'node:fs';
import { resolve } from 'node:path';
import { type MemFs, type Mount, resolvePath, S_IFDIR } from './vfs.js';

/** Parses HOST:GUEST[:rw|:ro] into a Mount, or returns why it cannot. */
export function parseMount(spec: string, cwd = process.cwd()): Mount | string {
  const parts = spec.split(':');
  const mode = parts.length === 3 ? parts.pop()! : 'ro';
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '' || (mode !== 'ro' && mode !== 'rw')) {
    return `--mount=${spec}: expected HOST:GUEST or HOST:GUEST:rw (e.g. --mount=.:/work:rw; read-only without :rw)`;
  }
  const [hostDir, guest] = parts as [string, string];
  if (!guest.startsWith('/') || resolvePath('/', guest) === '/') return `--mount=${spec}: GUEST must be an absolute directory below /, e.g. /mnt/host (got ${guest})`;
  let host: string;
  try {
    host = fs.realpathSync(resolve(cwd, hostDir));
    if (!fs.statSync(host).isDirectory()) return `--mount=${spec}: HOST ${hostDir} is not a directory (mounts are directories)`;
  } catch {
    return `--mount=${spec}: HOST ${hostDir} does not exist`;
  }
  return { guest: resolvePath('/', guest), host, rw: mode === 'rw' };
}

/** Puts each mount into the tree (making its mount point's directories); a string says why one cannot go in. */
export function mountAll(vfs: MemFs, mounts: readonly Mount[]): string | undefined {
  for (const [i, m] of mounts.entries()) {
    const other = mounts.find((o, j) => j !== i && (m.guest === o.guest || m.guest.startsWith(o.guest + '/')));
    if (other) return `mount ${m.host} at ${m.guest}: ${other.guest} is already a mount point (mounts cannot overlap)`;
    let path = '';
    for (const part of m.guest.split('/').slice(1)) {
      path += '/' + part;
      const node = vfs.lookup(path);
      if (!node) vfs.create(path, S_IFDIR | 0o755);
      else if (!node.entries) return `mount ${m.host} at ${m.guest}: ${path} is not a directory in the guest`;
    }
    vfs.lookup(m.guest)!.mount = m;
  }
  return undefined;
}
