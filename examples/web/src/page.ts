// The page: runs a guest in a worker on a table made here, shows its calls
// live and steers them through the table. The page never blocks: it reads the
// shared counters and rings, and every change is an atomic store or a
// writer's short critical section (systab never waits on a browser's main thread).
import { drawBars, type Bar } from './chart.js';
import { type FromWorker, type GuestKind } from './protocol.js';
import { PRESETS, Session } from './session.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const TRACE_KEEP = 2000;
const OUT_KEEP = 2000;

let session: Session | undefined;
let traceLines: string[] = [];
let outText = '';
let bars: Bar[] = [];
let rate = 0;
let last = { at: 0, total: 0 };
let dirty = true;
/** What the page measures of itself (shown, and read by the test): the longest gap between animation frames, the refreshes, the time stats() takes. */
const perf = { frames: 0, lastFrame: 0, maxGap: 0, refreshes: 0, statsMs: 0 };

function message(text: string, error = false): void {
  const m = $('message');
  m.textContent = text;
  m.className = error ? 'error' : '';
}

/** Runs a control; a SystabError's message (which says what was wrong, and what was meant) is shown. */
async function act(what: () => unknown, ok: string, live = true): Promise<void> {
  if (!session || (live && session.ended)) return message(session ? 'the guest has ended: press Run to start it again' : 'no guest has run: press Run first', true);
  try {
    await what();
    message(ok);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    message(`${err.code ?? 'error'}: ${err.message ?? String(e)}`, true);
  }
}

function setPresets(kind: GuestKind): void {
  $<HTMLInputElement>('inject-expr').value = PRESETS[kind].inject;
  $<HTMLInputElement>('filter-rules').value = PRESETS[kind].filter;
  $<HTMLInputElement>('count-expr').value = PRESETS[kind].count;
}

function onWorker(m: FromWorker): void {
  if (m.type === 'batch') {
    for (const o of m.out) outText += o.text;
    if (outText.length > OUT_KEEP * 80) outText = outText.slice(-OUT_KEEP * 40);
    traceLines.push(...m.trace.map((l) => l.replace(/\n$/, '')));
    if (traceLines.length > TRACE_KEEP) traceLines = traceLines.slice(-TRACE_KEEP);
    dirty = true;
  } else if (m.type === 'started') {
    $('status').textContent = `running (${session?.kind})`;
  } else if (m.type === 'exit') {
    session!.ended = true;
    $('status').textContent = `exited with ${m.code}${m.fault ? ` (${m.fault})` : ''}`;
    running(false);
    refresh();
  } else {
    session!.ended = true;
    $('status').textContent = 'failed';
    message(m.message, true);
    running(false);
  }
}

function running(on: boolean): void {
  $<HTMLButtonElement>('start').disabled = on;
  $<HTMLButtonElement>('stop').disabled = !on;
  $<HTMLSelectElement>('guest').disabled = on;
  $<HTMLButtonElement>('swap').disabled = false;
  $<HTMLButtonElement>('unswap').disabled = true;
}

async function start(): Promise<void> {
  const kind = $<HTMLSelectElement>('guest').value as GuestKind;
  const args = [$<HTMLInputElement>('lines').value, $<HTMLInputElement>('interval').value];
  session?.stop();
  session = undefined;
  outText = '';
  traceLines = [];
  bars = [];
  last = { at: performance.now(), total: 0 };
  Object.assign(perf, { frames: 0, lastFrame: 0, maxGap: 0, refreshes: 0, statsMs: 0 });
  dirty = true;
  message('');
  running(true);
  $('status').textContent = 'loading';
  try {
    const res = await fetch(kind === 'rv64' ? 'ticker.rv64' : 'ticker.wasm');
    if (!res.ok) throw new Error(`the program did not load: ${res.status} ${res.statusText}`);
    session = new Session(kind, await res.arrayBuffer(), args, onWorker);
  } catch (e) {
    running(false);
    $('status').textContent = 'failed';
    message(String((e as Error).message ?? e), true);
  }
}

/** Counters, missing calls and the summary, from shared memory: twice a second or more. */
function refresh(): void {
  const s = session;
  if (!s) return;
  const t0 = performance.now();
  const st = s.t.stats();
  perf.statsMs = Math.max(perf.statsMs, performance.now() - t0);
  perf.refreshes++;
  bars = st.calls.filter((c) => c.calls + c.enosys > 0).map((c) => ({ name: c.name ?? `syscall_${c.nr}`, calls: c.calls, errors: c.errors, enosys: c.enosys }));
  const total = bars.reduce((n, b) => n + b.calls + b.enosys, 0) + st.outOfRange;
  const errors = bars.reduce((n, b) => n + b.errors, 0);
  const now = performance.now();
  if (now > last.at) rate = ((total - last.total) * 1000) / (now - last.at);
  last = { at: now, total };
  const missing = st.missing.reduce((n, m) => n + m.count, 0);
  const t = $('totals');
  t.textContent = `${total} calls, ${errors} errors, ${missing} missing`;
  t.dataset.total = String(total);
  $('missing').textContent = st.missing.length === 0 && st.outOfRange === 0 ? 'none'
    : [...st.missing.map((m) => `${String(m.count).padStart(7)}  ${m.name} (${m.nr})`), ...(st.outOfRange ? [`${String(st.outOfRange).padStart(7)}  numbers outside the ABI's range`] : [])].join('\n');
  $('summary').textContent = s.tr.summaryTable({ sort: 'calls' });
  const p = $('perf');
  p.textContent = `page: ${perf.refreshes} refreshes, stats() at most ${perf.statsMs.toFixed(2)} ms, longest gap between frames ${perf.maxGap.toFixed(0)} ms`;
  Object.assign(p.dataset, { refreshes: perf.refreshes, statsMs: perf.statsMs.toFixed(3), maxGap: perf.maxGap.toFixed(1), frames: perf.frames });
  dirty = true;
}

function frame(now: number): void {
  // Counted while a guest runs: a page that blocked would show it here.
  if (session && !session.ended && perf.lastFrame > 0) perf.maxGap = Math.max(perf.maxGap, now - perf.lastFrame);
  perf.lastFrame = now;
  perf.frames++;
  if (dirty) {
    dirty = false;
    drawBars($<HTMLCanvasElement>('chart'), bars, rate);
    const out = $('out'), trace = $('trace');
    if (out.textContent !== outText) (out.textContent = outText), (out.scrollTop = out.scrollHeight);
    const text = traceLines.join('\n');
    if (trace.textContent !== text) (trace.textContent = text), (trace.scrollTop = trace.scrollHeight);
  }
  requestAnimationFrame(frame);
}

function exportTrace(): void {
  const json = session!.tr.exportPerfetto();
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `systab-${session!.kind}-trace.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function wire(): void {
  const form = (id: string, f: (value: string) => unknown, ok: (value: string) => string) =>
    $(id).addEventListener('submit', (e) => {
      e.preventDefault();
      const value = ($(id).querySelector('input') as HTMLInputElement).value.trim();
      void act(() => f(value), ok(value));
    });
  form('f-trace', (v) => session!.tr.select(v), (v) => `tracing -e trace=${v}`);
  form('f-count', (v) => session!.tr.summary(v), (v) => `counting (strace -c) -e trace=${v}`);
  form('f-inject', (v) => session!.tr.inject(v), (v) => `injecting -e inject=${v}`);
  form('f-filter', (v) => session!.loadFilter(v), (v) => `seccomp filter stacked: ${v}`);
  $('inject-clear').onclick = () => void act(() => session!.tr.clearInjections(), 'injections cleared');
  $('swap').onclick = () => void act(() => {
    session!.swap();
    $<HTMLButtonElement>('swap').disabled = true;
    $<HTMLButtonElement>('unswap').disabled = false;
  }, 'swapped in: write uppercases');
  $('unswap').onclick = () => void act(async () => {
    $<HTMLButtonElement>('unswap').disabled = true;
    await session!.unswap();
    $<HTMLButtonElement>('swap').disabled = false;
  }, 'swapped back (unloaded after its grace period)');
  $('export').onclick = () => void act(exportTrace, 'trace exported', false);
  $('start').onclick = () => void start();
  $('stop').onclick = () => {
    session?.stop();
    $('status').textContent = 'stopped';
    running(false);
  };
  $('guest').onchange = () => setPresets($<HTMLSelectElement>('guest').value as GuestKind);
}

function main(): void {
  const iso = $('isolation');
  setPresets('rv64');
  if (!globalThis.crossOriginIsolated) {
    iso.textContent = 'not cross-origin isolated';
    iso.className = 'no';
    $('note').hidden = false;
    for (const b of document.querySelectorAll('button')) b.disabled = true;
    return;
  }
  iso.textContent = 'cross-origin isolated';
  iso.className = 'ok';
  wire();
  setInterval(refresh, 250);
  requestAnimationFrame(frame);
}

main();
