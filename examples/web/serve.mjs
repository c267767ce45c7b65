// Serves examples/web/dist on localhost with the headers that make the page
// cross-origin isolated (COOP same-origin, COEP require-corp), so it has
// SharedArrayBuffer and can share a systab table with its worker.
//   node examples/web/serve.mjs [--port N] [--no-isolation] [--no-build]
// --no-isolation leaves the headers out, to see the page's note.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { buildWeb, distDir } from './build.mjs';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json', '.wasm': 'application/wasm', '.rv64': 'application/octet-stream' };

/** Starts the server; resolves to its URL and a close(). Port 0: any free port. */
export function serve({ port = 8080, isolated = true, host = '127.0.0.1' } = {}) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(distDir, path.endsWith('/') ? `${path}index.html` : path);
    const headers = { 'Cache-Control': 'no-store', ...(isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {}) };
    try {
      if (!file.startsWith(distDir)) throw new Error('outside');
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' });
      res.end('not found\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: p } = server.address();
      resolve({ url: `http://${host === '127.0.0.1' ? 'localhost' : host}:${p}/`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--port');
  const port = at >= 0 ? Number(args[at + 1]) : 8080;
  if (!args.includes('--no-build')) await buildWeb();
  const { url } = await serve({ port, isolated: !args.includes('--no-isolation') }).catch((e) => {
    console.error(e.code === 'EADDRINUSE' ? `serve.mjs: port ${port} is in use: pass --port N (0 for any free one)` : `serve.mjs: ${e.message}`);
    process.exit(1);
  });
  console.log(`systab demo: ${url}${args.includes('--no-isolation') ? ' (not cross-origin isolated, to see the note)' : ''}\nCtrl-C to stop.`);
}
