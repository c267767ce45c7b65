// The model of the kernel's per-thread chains (test/helpers/seccomp-thread.ts,
// which test/seccomp-thread-model.test.ts holds systab to) against the
// kernel of this machine: random scenarios of filters installed by one
// thread (no TSYNC), threads started by a filtered thread (clone()'s
// inheritance), and TSYNCs from the main thread, run on three real threads
// by test/helpers/seccomp-threads.c; after every step, every thread's answer
// for every number and argument, and each TSYNC's verdict, are the model's.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { filterBytes } from 'systab/seccomp';
import { ARGS, GETPID, GETPPID, GETUID, Model, program, type Rule } from './helpers/seccomp-thread.js';
import { kernelUnavailable } from './helpers/seccomp-kernel.js';
import { fuzzParams } from './helpers/fuzz-values.js';

// getpgrp (111) in place of gettid: the harness names its threads by gettid, which must stay unfiltered.
const NRS = [GETPID, GETUID, GETPPID, 111];
type Step = { op: 'own'; th: number; rule: Omit<Rule, 'errno'> } | { op: 'spawn'; th: number; from: number } | { op: 'tsync'; rule: Omit<Rule, 'errno'> };
const ruleArb = fc.record({ nr: fc.constantFrom(...NRS), arg: fc.option(fc.constantFrom(...ARGS), { nil: undefined }) }, { requiredKeys: ['nr'] });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('own' as const), th: fc.integer({ min: 0, max: 2 }), rule: ruleArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('spawn' as const), th: fc.integer({ min: 1, max: 2 }), from: fc.integer({ min: 0, max: 2 }) }).filter((s) => s.th !== s.from) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tsync' as const), rule: ruleArb }) },
);
const hex = (r: Rule) => Buffer.from(filterBytes(program(r))).toString('hex');
const skip = kernelUnavailable();

let binary: string | undefined;
function harness(): string {
  if (binary !== undefined) return binary;
  const out = join(mkdtempSync(join(tmpdir(), 'systab-threads-')), 'threads');
  execFileSync('gcc', ['-O2', '-pthread', '-o', out, new URL('./helpers/seccomp-threads.c', import.meta.url).pathname]);
  return (binary = out);
}

describe.skipIf(skip !== undefined)(`the kernel's per-thread chains${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('random own filters, inheriting starts and TSYNCs on three threads: the kernel answers as the model does', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 12 }), (steps) => {
        const m = new Model();
        m.joined = [true, true, true]; // every kernel thread is under its chain
        const check = `check ${NRS.flatMap((nr) => ARGS.map((a) => `${nr} ${a}`)).join(' ')}`;
        const lines: string[] = [];
        const want: string[] = [];
        const expectAnswers = () => {
          lines.push(check);
          for (let th = 0; th < 3; th++) want.push(`check ${th} ${NRS.flatMap((nr) => ARGS.map((a) => m.answer(th, nr, a))).map((r) => (r === -38 ? 'OK' : `E${-(r as number)}`)).join(' ')}`);
        };
        const tsyncs: number[][] = []; // per TSYNC: the threads that may be named
        for (const s of steps) {
          if (s.op === 'own') {
            const id = m.rule(s.rule);
            lines.push(`own ${s.th} ${hex(m.rules[id]!)}`);
            want.push('own 0');
            m.own[s.th]!.push(id);
          } else if (s.op === 'spawn') {
            lines.push(`spawn ${s.th} ${s.from}`);
            want.push('spawn');
            m.own[s.th] = [...m.own[s.from]!];
          } else {
            const id = m.rule(s.rule);
            lines.push(`tsync ${hex(m.rules[id]!)}`);
            const mine = m.own[0]!;
            const blocking = [1, 2].filter((th) => !m.own[th]!.every((x, i) => mine[i] === x));
            tsyncs.push(blocking);
            want.push(blocking.length === 0 ? 'tsync 0' : 'tsync ?');
            if (blocking.length === 0) {
              m.wide.push(...mine, id);
              m.own = m.own.map(() => []);
            }
          }
          expectAnswers();
        }
        const r = spawnSync(harness(), [], { input: lines.join('\n') + '\n', encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        const got = r.stdout.trim().split('\n');
        // A refused TSYNC names one of the threads in the way (the kernel's first in its list).
        let k = 0;
        const shown = got.map((line, i) => {
          if (want[i] !== 'tsync ?') return line;
          const named = Number(line.split(' ')[1]);
          return tsyncs.filter((b) => b.length > 0)[k++]!.includes(named) ? 'tsync ?' : line;
        });
        expect(shown).toEqual(want);
      }),
      fuzzParams(300),
    );
  });
});
