// A Web Worker for churn.test.ts: the guest loop of ../workers/churn-guest.js.
import { attach } from 'systab';
import { runGuest } from '../workers/churn-guest.js';

self.onmessage = (e) => self.postMessage(runGuest(attach(e.data.desc), e.data, () => self.postMessage({ ready: true })));
