// node:crypto's randomFillSync in the browser bundle, over Web Crypto (which
// refuses views of shared memory and more than 64 KiB at once: copied through a buffer of its own).
export function randomFillSync<T extends Uint8Array>(view: T): T {
  const tmp = new Uint8Array(Math.min(view.length, 65536));
  for (let at = 0; at < view.length; at += tmp.length) {
    const part = tmp.subarray(0, Math.min(tmp.length, view.length - at));
    crypto.getRandomValues(part);
    view.set(part, at);
  }
  return view;
}
