// examples/web (npm run demo:web) in headless Chromium, driven by playwright
// from Node against the demo's own server: the page loads without console
// errors, each guest runs to its end with the expected output in a worker on
// the page's table, the counters move, and every control takes effect while
// the guest runs (trace, count, swap, inject, seccomp), checked in what the
// guest prints and in the trace pane; the export parses as Trace Event JSON;
// a screenshot is decoded and checked for content. And, served without
// COOP/COEP, the page says why it cannot run.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright';
import { buildWeb } from '../examples/web/build.mjs';
import { serve } from '../examples/web/serve.mjs';
import { decodePng, regionStats } from './helpers/png.js';
import { toolsOr } from './helpers/tools.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const has = (cmd: string) => { try { execFileSync(cmd, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; } };
const ready = toolsOr(existsSync(CHROMIUM) && has('riscv64-linux-gnu-gcc') && has('clang'), `chromium (${CHROMIUM}), riscv64-linux-gnu-gcc and clang`);
const LINES = 80;

let browser: Browser;
let servers: { url: string; close: () => Promise<void> }[] = [];

async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return { page, errors };
}

const text = (page: Page, sel: string) => page.locator(sel).textContent().then((t) => t ?? '');
const until = (page: Page, sel: string, re: RegExp, timeout = 10_000) =>
  page.waitForFunction(([s, src, flags]) => new RegExp(src!, flags).test(document.querySelector(s!)?.textContent ?? ''), [sel, re.source, re.flags], { timeout });
const submit = async (page: Page, input: string, value: string) => {
  await page.fill(input, value);
  await page.press(input, 'Enter');
  // Each control says what it did, with the value it took (or the error, which fails here).
  await page.waitForFunction((v) => document.querySelector('#message')!.textContent!.includes(v), value, { timeout: 5_000 });
  expect(await page.locator('#message').getAttribute('class')).not.toBe('error');
};
/** The tick numbers printed since `from` characters of output. */
const ticks = async (page: Page, from = 0) => [...(await text(page, '#out')).slice(from).matchAll(/^tick (\d+)\//gim)].map((m) => Number(m[1]));
const waitTicks = async (page: Page, n: number) => {
  const have = (await ticks(page)).length;
  await page.waitForFunction(([h, k]) => (document.querySelector('#out')?.textContent?.match(/^tick \d+\//gim)?.length ?? 0) >= h! + k!, [have, n], { timeout: 10_000 });
};

describe.runIf(ready)('examples/web: systab in a browser tab', () => {
  beforeAll(async () => {
    await buildWeb();
    servers = [await serve({ port: 0 }), await serve({ port: 0, isolated: false })];
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
  });

  it('runs the rv64 guest in a worker, shows its calls live, and every control takes effect while it runs', async () => {
    const { page, errors } = await open(servers[0]!.url);
    expect(await text(page, '#isolation')).toBe('cross-origin isolated');
    await page.fill('#lines', String(LINES));
    await page.click('#start');
    await until(page, '#out', /tick 2\//);

    // Counters move: the page reads the shared counters (t.stats()) while the worker calls.
    const total = async () => Number(await page.locator('#totals').getAttribute('data-total'));
    const before = await total();
    await waitTicks(page, 2);
    await page.waitForTimeout(300);
    expect(await total()).toBeGreaterThan(before);

    // -e trace=openat: only openat lines from then on.
    await submit(page, '#trace-expr', 'openat');
    await waitTicks(page, 3);
    const recent = (await text(page, '#trace')).trimEnd().split('\n').slice(-2);
    expect(recent.every((l) => l.startsWith('openat(AT_FDCWD, "/tmp/ticks", O_WRONLY|O_CREAT|O_APPEND, 0644) = 3')), recent.join('\n')).toBe(true);

    // Count %file (strace -c): the summary pane has openat and close.
    await submit(page, '#count-expr', '%file');
    await waitTicks(page, 2);
    await until(page, '#summary', /openat/);

    // Swap in the uppercasing write (loaded by the page, its code provided by the worker), then back.
    let mark = (await text(page, '#out')).length;
    await page.click('#swap');
    await until(page, '#out', /TICK \d+\/\d+ PID=42 OPEN: OK\n[\s\S]*TICK/);
    await page.click('#unswap');
    await until(page, '#message', /swapped back/);
    await page.waitForFunction((m) => /TICK[\s\S]*\ntick \d+\/\d+ pid=42 open: ok\n/.test(document.querySelector('#out')!.textContent!.slice(m)), mark, { timeout: 10_000 });

    // -e inject=openat:error=EACCES: the program reports the injected errno; the trace marks it.
    await submit(page, '#inject-expr', 'openat:error=EACCES');
    await until(page, '#out', /open: Permission denied \(errno 13\)/);
    await until(page, '#trace', /openat\(AT_FDCWD, "\/tmp\/ticks", O_WRONLY\|O_CREAT\|O_APPEND, 0644\) = -1 EACCES \(Permission denied\) \(INJECTED\)/);
    mark = (await text(page, '#out')).length;
    await page.click('#inject-clear');
    await page.waitForFunction((m) => /open: ok/.test(document.querySelector('#out')!.textContent!.slice(m)), mark, { timeout: 10_000 });

    // A seccomp filter (cBPF from the page's rules): getpid answers EPERM.
    await submit(page, '#filter-rules', 'getpid:EPERM');
    await until(page, '#out', /getpid: Operation not permitted \(errno 1\) open: ok/);
    // An OCI profile (JSON, compiled by systab/seccomp/oci), stacked on it: a tie of ERRNOs goes to the newer filter.
    await submit(page, '#filter-rules', '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}');
    await until(page, '#out', /getpid: Permission denied \(errno 13\) open: ok/);
    await submit(page, '#trace-expr', 'all');
    await waitTicks(page, 3);
    // The screenshot, mid-run (every control's effect in the output): decoded, the chart and the panes have content.
    const shot = join(tmpdir(), `systab-page-${process.pid}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    const png = decodePng(readFileSync(shot));
    const box = async (sel: string) => (await page.locator(sel).boundingBox())!;
    for (const sel of ['#chart', '#trace', '#out']) {
      const b = await box(sel);
      const s = regionStats(png, Math.round(b.x), Math.round(b.y), Math.round(b.width), Math.round(b.height));
      expect(s.colours, sel).toBeGreaterThan(8);
      expect(s.nonBackground, sel).toBeGreaterThan(0.02);
    }
    if (process.env.SYSTAB_PAGE_PNG === '1') {
      // The README's copy: WebP made by the browser itself (85 KB where the PNG is 200 KB: the package ships it).
      const webp = await page.evaluate(async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.width;
        c.height = img.height;
        c.getContext('2d')!.drawImage(img, 0, 0);
        return c.toDataURL('image/webp', 0.75).split(',')[1]!;
      }, readFileSync(shot).toString('base64'));
      writeFileSync(new URL('../docs/page.webp', import.meta.url), Buffer.from(webp, 'base64'));
    }

    await until(page, '#status', /exited with 0/, 30_000);
    // The page never blocked: animation frames kept coming while the guest ran and the controls changed its table; refreshes at 4 Hz.
    const own = await page.locator('#perf').evaluate((e) => ({ ...(e as HTMLElement).dataset }));
    console.log(`page: ${JSON.stringify(own)}`);
    expect(Number(own.maxGap)).toBeLessThan(1000);
    expect(Number(own.refreshes)).toBeGreaterThan((LINES * 0.1) * 2);
    // The whole output: every tick once, in order, as the controls left it.
    const out = await text(page, '#out');
    expect(out.endsWith('done\n')).toBe(true);
    expect(await ticks(page)).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
    expect(await text(page, '#missing')).toMatch(/^\s+\d+ {2}getcpu \(168\)$/m);
    expect(await text(page, '#trace')).toMatch(/\+\+\+ exited with 0 \+\+\+$/);
    expect(await total()).toBeGreaterThan(LINES * 6);

    // Export: Trace Event JSON, a slice per traced call named sys_<name>.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const perf = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { traceEvents: { ph: string; name: string; args?: { error?: string | null; injected?: boolean } }[] };
    const slices = perf.traceEvents.filter((e) => e.ph === 'X');
    expect(slices.length).toBeGreaterThan(LINES);
    expect(slices.every((e) => e.name.startsWith('sys_'))).toBe(true);
    for (const name of ['sys_openat', 'sys_write', 'sys_getpid', 'sys_clock_nanosleep']) expect(slices.some((e) => e.name === name), name).toBe(true);
    expect(slices.some((e) => e.name === 'sys_openat' && e.args?.injected === true && e.args.error === 'EACCES')).toBe(true);

    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('runs the WASI guest through the shim, with the same controls', async () => {
    const { page, errors } = await open(servers[0]!.url);
    await page.selectOption('#guest', 'wasi');
    expect(await page.inputValue('#inject-expr')).toBe('path_open:error=acces');
    await page.fill('#lines', '40');
    await page.click('#start');
    await until(page, '#out', /tick 2\/40 open: ok/);
    await page.click('#swap');
    await until(page, '#out', /TICK \d+\/40 OPEN: OK/);
    await page.click('#unswap');
    await until(page, '#message', /swapped back/);
    await submit(page, '#inject-expr', 'path_open:error=acces');
    await until(page, '#out', /open: Permission denied \(errno 2\)/);
    await until(page, '#trace', /path_open\(3, symlink_follow, "ticks", creat, .*\) = 2 acces \(INJECTED\)/);
    await page.click('#inject-clear');
    await submit(page, '#filter-rules', 'path_open:perm');
    await until(page, '#out', /open: Operation not permitted \(errno 63\)/);
    await until(page, '#status', /exited with 0/, 30_000);
    expect((await text(page, '#out')).endsWith('done\n')).toBe(true);
    expect(await ticks(page)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await text(page, '#totals')).toMatch(/^\d+ calls/);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a bad control input is a SystabError shown on the page, and the guest runs on', async () => {
    const { page, errors } = await open(servers[0]!.url);
    await page.fill('#lines', '30');
    await page.click('#start');
    await until(page, '#out', /tick 1\//);
    await page.fill('#inject-expr', 'openat:error=ENOPE');
    await page.press('#inject-expr', 'Enter');
    await until(page, '#message', /EBADSPEC/);
    await page.fill('#filter-rules', 'open:EPERM');
    await page.press('#filter-rules', 'Enter');
    await until(page, '#message', /ENONAME: seccomp rule "open:EPERM": linux-riscv64 has no call "open"/);
    await page.click('#stop');
    expect(await text(page, '#status')).toBe('stopped');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('served without COOP/COEP, the page says why it cannot share a table, and how to serve it', async () => {
    const { page, errors } = await open(servers[1]!.url);
    expect(await text(page, '#isolation')).toBe('not cross-origin isolated');
    expect(await page.locator('#note').isVisible()).toBe(true);
    expect(await text(page, '#note')).toMatch(/SharedArrayBuffer[\s\S]*Cross-Origin-Opener-Policy: same-origin[\s\S]*Cross-Origin-Embedder-Policy: require-corp[\s\S]*npm run demo:web/);
    expect(await page.locator('#start').isDisabled()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);
});
