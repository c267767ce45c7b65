// Builds the Go fixtures (fixtures/go/*.go) for linux/riscv64 with the
// host's Go (Debian: golang-go), once per source change.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.js';

const BUILD = join(ROOT, 'examples/rv64/build/go');

export function compileGo(name: string): string {
  if (spawnSync('sh', ['-c', 'command -v go']).status !== 0) {
    throw new Error('go is not installed: the rv64 Go tests need it (Debian: apt-get install -y golang-go); they never skip');
  }
  const src = join(ROOT, 'examples/rv64/fixtures/go', `${name}.go`);
  const out = join(BUILD, name);
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return out;
  mkdirSync(BUILD, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  execFileSync('go', ['build', '-o', tmp, src], {
    stdio: 'pipe',
    env: { ...process.env, GOOS: 'linux', GOARCH: 'riscv64', CGO_ENABLED: '0', GOCACHE: join(BUILD, 'cache'), GOFLAGS: '-trimpath' },
  });
  renameSync(tmp, out);
  return out;
}
