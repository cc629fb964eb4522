/** What a run of the benchmark writes to results.json (run.ts), and what the report renders (report.ts). */
import type { ContenderResult } from './contender-figures';
import type { BenchOptions } from './options';
import type { ScalingPoint } from './scaling';

export interface BenchResults {
  generatedAt: string;
  machine: { cpus: number; node: string };
  options: Omit<BenchOptions, 'outputDir' | 'workDir'>;
  workload: { orders: number; byProvider: Record<string, number>; meanOrderMinutes: number; longestOrderMinutes: number };
  contenders: ContenderResult[];
  scaling: ScalingPoint[];
  /** Set when contenders of another run of the same options were added (bench/render.ts): who ran together. */
  groups?: string[][];
  /** Scaling points measured on a real cluster (`render.ts --cluster-scaling-from`), shown beside the dev server's. */
  clusterScaling?: { generatedAt: string; server: string; points: ScalingPoint[] };
  /** An earlier run of the full corpus at capacity (`--capacity-from`), shown beside this one. */
  capacity?: Pick<BenchResults, 'generatedAt' | 'options' | 'workload' | 'contenders'>;
}
