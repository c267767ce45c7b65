// node:tty in the browser bundle: a worker has no terminal.
export const isatty = (_fd: number): boolean => false;
