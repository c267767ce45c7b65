// node:worker_threads in the browser bundle: the page's guest has no thread
// host (the page gives the emulator its table), so these are never called;
// a guest thread there answers clone with an error instead.
const none = (): never => {
  throw new Error('rv64 in a browser worker has no guest threads (node:worker_threads)');
};
export const isMainThread = true;
export const workerData = undefined;
export const receiveMessageOnPort = none;
export class Worker {
  constructor() {
    none();
  }
}
export class MessageChannel {
  constructor() {
    none();
  }
}
export type MessagePort = never;
