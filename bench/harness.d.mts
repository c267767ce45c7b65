// Types for the statistics helpers of bench/harness.mjs (used by test/bench-smoke.test.ts).
export function median(xs: readonly number[]): number;
export function quantile(xs: readonly number[], q: number): number;
export function perRoundRatios(rounds: readonly Partial<Record<string, number>>[], name: string, baseline: string): number[];
export function rotation<T>(names: readonly T[], round: number): T[];
export interface Contender {
  name: string;
  fn: () => unknown;
  calls: number;
  async?: boolean;
  beforeAll?: () => unknown;
  afterAll?: () => unknown;
}
export interface ContenderResult {
  name: string;
  nsPerCall: number;
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  rounds: number[];
  ratios: number[];
  baseline: boolean;
}
export function compare(options: { contenders: Contender[]; baseline: string; rounds?: number; time?: number; warmupTime?: number; warmupRounds?: number }): Promise<ContenderResult[]>;
