// The loop node: runs its body sub-graph (the nodes whose parentId is the loop) once per item
// (for-each, optionally several at a time) or while a condition holds. Inside the body, nodes read
// the loop's variables as `{{loopId.item}}` / `{{loopId.index}}` (for-each) or `{{loopId.index}}` /
// `{{loopId.previous}}` (while: the previous iteration's output); `output` (which may reference body
// nodes) is collected per iteration into `results`.
import { z } from 'zod';
import { conditionGroupSchema } from '@/workflows/dsl/conditions';
import { defineNode, type ValueType } from '@/workflows/nodes/node-spec';

/** Variables a loop provides to its body (and to its own output and condition), with their types. */
export const LOOP_VARIABLES = {
  'for-each': { item: 'any', index: 'number' },
  while: { index: 'number', previous: 'any' },
} as const satisfies Record<string, Record<string, ValueType>>;

export const loopConfigSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('for-each').describe('Run the body once per item of a list'),
    items: z
      .unknown()
      .refine((v) => v !== undefined, 'is required')
      .describe('The list to iterate over, usually a {{node.field}} reference'),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(1)
      .describe('How many iterations may run at the same time'),
    output: z
      .unknown()
      .optional()
      .describe('Collected per iteration into results; may reference body nodes and {{loop.item}}'),
  }),
  z.object({
    mode: z.literal('while').describe('Run the body again as long as a condition holds'),
    condition: conditionGroupSchema.describe(
      'Tested before each iteration; may use {{loop.index}} and {{loop.previous}} (null at first)',
    ),
    maxIterations: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(100)
      .describe('Stops after this many iterations'),
    output: z
      .unknown()
      .optional()
      .describe('Collected per iteration into results; may reference body nodes and {{loop.previous}}'),
  }),
]);

export type LoopConfig = z.infer<typeof loopConfigSchema>;

export const loopNode = defineNode({
  type: 'loop',
  title: 'Loop',
  description: 'Repeats a sub-graph for each item of a list or while a condition holds.',
  category: 'logic',
  icon: '🔁',
  configSchema: loopConfigSchema,
  inputHandles: () => [null],
  outputHandles: () => [null],
  outputTypes: () => ({ results: 'array', count: 'number' }),
  execution: 'loop',
});
