// The live counters as bars on a canvas: each call's count from the table's
// shared counters (t.stats(), read on the page), errors in red, ENOSYS in
// grey. Drawn on animation frames; reading the counters never blocks.
export interface Bar {
  name: string;
  calls: number;
  errors: number;
  enosys: number;
}

const ROWS = 12;

export function drawBars(canvas: HTMLCanvasElement, bars: readonly Bar[], rate: number): void {
  const g = canvas.getContext('2d')!;
  const { width: w, height: h } = canvas;
  g.clearRect(0, 0, w, h);
  g.font = '12px ui-monospace, monospace';
  g.textBaseline = 'middle';
  const rows = [...bars].sort((a, b) => b.calls + b.enosys - (a.calls + a.enosys)).slice(0, ROWS);
  const max = Math.max(1, ...rows.map((r) => r.calls + r.enosys));
  const label = 130, right = 60, rowH = (h - 24) / ROWS;
  rows.forEach((r, i) => {
    const y = 4 + i * rowH;
    const span = w - label - right;
    const ok = ((r.calls - r.errors) / max) * span, err = (r.errors / max) * span, nosys = (r.enosys / max) * span;
    g.fillStyle = '#1d232a';
    g.textAlign = 'right';
    g.fillText(r.name, label - 8, y + rowH / 2);
    g.fillStyle = '#3b82c4';
    g.fillRect(label, y + 2, ok, rowH - 4);
    g.fillStyle = '#d9534f';
    g.fillRect(label + ok, y + 2, err, rowH - 4);
    g.fillStyle = '#9aa5b1';
    g.fillRect(label + ok + err, y + 2, nosys, rowH - 4);
    g.fillStyle = '#1d232a';
    g.textAlign = 'left';
    g.fillText(String(r.calls + r.enosys), label + ok + err + nosys + 6, y + rowH / 2);
  });
  g.fillStyle = '#56616c';
  g.textAlign = 'left';
  g.fillText(rows.length === 0 ? 'no calls yet' : `${rate.toFixed(0)} calls/s · blue: answered, red: errors, grey: ENOSYS`, 8, h - 10);
}
