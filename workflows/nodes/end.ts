// The end node of a workflow app: its `outputs` (usually references to earlier nodes) become the
// run's output.
import { z } from 'zod';
import { toJson } from '@/workflows/dsl/references';
import type { Json } from '@/workflows/interpreter/types';
import { defineNode, type ValueType } from '@/workflows/nodes/node-spec';

export const endConfigSchema = z.object({
  outputs: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Output fields of the run: name → value, e.g. {{llm.text}}'),
});

export type EndConfig = z.infer<typeof endConfigSchema>;

export const endNode = defineNode({
  type: 'end',
  title: 'End',
  description: 'Finishes the run and returns its outputs.',
  category: 'basic',
  icon: '🏁',
  configSchema: endConfigSchema,
  inputHandles: () => [null],
  outputHandles: () => [],
  outputTypes: (config) => {
    const types: Record<string, ValueType> = {};
    for (const name of Object.keys(config.outputs)) types[name] = 'any';
    return types;
  },
  execution: 'activity',
  pure: true,
  terminal: true,
  run: (config): Json => toJson(config.outputs),
});
