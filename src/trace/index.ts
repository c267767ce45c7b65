// systab/trace: strace for a systab table. Per-number trace and inject
// switches that any thread flips and every tracing thread sees at its next
// call; strace's own grammars for what to trace and inject; lines in
// strace's format; strace -c's summary from every thread's counts; JSON
// lines and Perfetto traces from every thread's event ring. Its own entry
// point: a table that is never traced carries none of it.
export { Trace, traceTable, attachTrace } from './trace.js';
export type { TraceOutput, CallSet, SummaryOptions } from './trace.js';
export type { Summary, SummaryRow, SummarySort } from './summary.js';
export type { Sink } from './sinks.js';
export type { CallRecord } from './export.js';
export type { TraceDescriptor } from './control.js';
export type { LineMaker, ExitNote } from './plug.js';
export { parseTraceSet, CLASS_NAMES } from './select.js';
export type { TraceSet } from './select.js';
export { parseInject } from './inject.js';
export type { InjectSpec, InjectWhen, InjectPoke } from './inject.js';
export { splitQualifier } from './qualify.js';
export type { Qualified } from './qualify.js';
export { callClass, TraceClass } from './classes.js';
export type { CallClass } from './classes.js';
export { signalNumber } from './signals.js';
export { straceLines } from './lines.js';
export type { StraceFormat } from './lines.js';
export { createFormatter, align, exitedLine } from './format.js';
export type { Formatter, Pending, Finished } from './format.js';
export type { FormatterOptions } from './options.js';
export type { GuestReader } from './guest.js';
export type { HexStyle } from './escape.js';
export { createInterleaver } from './interleave.js';
export type { Interleaver, InterleaveOptions, PrefixStyle } from './interleave.js';
