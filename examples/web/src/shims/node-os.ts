// node:os in the browser bundle: what uname and sysinfo ask for.
const started = performance.now();
export const hostname = (): string => 'browser';
export const uptime = (): number => (performance.now() - started) / 1000;
// sched_getaffinity's CPU count (one: the guest is one worker).
export const availableParallelism = (): number => 1;
export const cpus = (): unknown[] => [{}];
