/** The kinds of value an environment variable holds, validated with zod (config.ts and the provider descriptors). */
import { z } from 'zod';
import { parseDuration } from './duration';

export const optionalText = z.string().trim().min(1).optional();
export const optionalUrl = z.string().trim().url().optional();
export const port = z.coerce.number().int().min(1).max(65_535);
export const requestsPerSecond = z.coerce.number().positive().max(10_000);
export const duration = z.string().trim().transform((text, context) => {
  const milliseconds = parseDuration(text);
  if (milliseconds === undefined) {
    context.addIssue({ code: z.ZodIssueCode.custom, message: 'expected a duration such as 90s, 2m or 1h' });
    return z.NEVER;
  }
  return milliseconds;
});
export const booleanText = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
