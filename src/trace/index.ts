// systab/trace: strace for a systab table. Per-number trace and inject
// switches that any thread flips and every tracing thread sees at its next
// call; lines in strace's format. Its own entry point: a table that is never
// traced carries none of it.
export { Trace, traceTable, attachTrace } from './trace.js';
export type { TraceOutput, CallSet } from './trace.js';
export type { TraceDescriptor, InjectWords } from './control.js';
export type { LineMaker, ExitNote } from './plug.js';
