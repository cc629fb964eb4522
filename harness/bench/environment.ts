import { environmentSchema } from '../../common/config';

/** The parent's environment without any of the project's variables, plus `variables`. */
export function childEnvironment(variables: Record<string, string>): NodeJS.ProcessEnv {
  const ours = new Set(Object.keys(environmentSchema.shape));
  const inherited = Object.entries(process.env).filter(([name]) => !ours.has(name) && !name.startsWith('TEMPORAL_'));
  return { ...Object.fromEntries(inherited), ...variables };
}

/** The server-side request budget is not what is measured: high enough never to throttle. */
export const UNTHROTTLED_BUDGETS = {
  MAGMA_REQUESTS_PER_SECOND: '10000',
  MIRACLECASH_REQUESTS_PER_SECOND: '10000',
  OZZOBIT_REQUESTS_PER_SECOND: '10000',
  HOUDINI_REQUESTS_PER_SECOND: '10000',
};

/** Longer than any scripted order: the figures are about cadence, not about giving up. */
export const BENCH_MAX_WAIT_MS = 30 * 3_600_000;
