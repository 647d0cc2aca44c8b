// The delay node: a durable sleep (survives restarts), executed by the interpreter rather than as
// an activity so that no worker is held while waiting.
import { z } from 'zod';
import { parseSingleReference } from '@/workflows/dsl/references';
import { defineNode } from '@/workflows/nodes/node-spec';

export const MAX_DELAY_MS = 30 * 24 * 60 * 60 * 1000;

export const delayConfigSchema = z.object({
  ms: z
    .union([
      z.number().int().min(0).max(MAX_DELAY_MS),
      // Resolved by the interpreter before sleeping; the validator checks the referenced type.
      z
        .string()
        .refine((v) => parseSingleReference(v) !== null, 'must be a number or a single {{reference}}'),
    ])
    .describe('How long to wait, in milliseconds (at most 30 days)'),
});

export type DelayConfig = z.infer<typeof delayConfigSchema>;

export const delayNode = defineNode({
  type: 'delay',
  title: 'Delay',
  description: 'Waits for a while before continuing.',
  category: 'logic',
  icon: '⏳',
  configSchema: delayConfigSchema,
  inputHandles: () => [null],
  outputHandles: () => [null],
  outputTypes: () => ({ sleptMs: 'number' }),
  execution: 'delay',
});
