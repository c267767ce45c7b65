// The adversary's follow mode (strace -f through the owner's sink): what the
// owner prints for other threads is printed later, from its drains (after
// its own calls, its quiescent points, a 50 ms timer, close()), where no
// caller waits for a sink's error.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('a follow owner whose sink throws', () => {
  // The reader caught a sink's error for a call's line (print()'s catch for
  // damaged pieces) but not for its own notice of lost pieces, written from
  // the 50 ms timer: an uncaught exception, which ends a Node process. A
  // sink's error in close()'s final flush also left close() half done.
  it('never throws from the timer (the process lives), and the owner\'s calls and close() go on', () => {
    const script = fileURLToPath(new URL('./workers/adv-follow-sink-throws.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20000, cwd: fileURLToPath(new URL('..', import.meta.url)) });
    const last = r.stdout.trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(last)).toEqual({ lines: expect.any(Number), ownCall: 'answered', closed: 'closed' });
    expect(JSON.parse(last).lines).toBeGreaterThan(0);
    expect(r.status).toBe(0);
  });
});
