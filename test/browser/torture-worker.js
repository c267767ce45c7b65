// A Web Worker for the torture (torture.test.ts): the role the first message
// names, from ../helpers/torture.js. It tells the page when it ends itself.
import { attach } from 'systab';
import { workerMain } from '../helpers/torture.js';

self.onmessage = (e) => {
  self.onmessage = null;
  const post = (m) => self.postMessage(m);
  const exit = () => {
    post({ __exit: true });
    self.close();
  };
  workerMain({ ...e.data, node: false }, post, attach, exit).catch((err) => post({ workerError: String(err?.stack ?? err) }));
};
