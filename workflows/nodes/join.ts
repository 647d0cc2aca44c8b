// The join node: where parallel branches meet. 'all' gathers named values from every branch;
// 'first' picks the first value that is present, e.g. after a condition where only one branch ran
// (skipped branches' references resolve to null).
import { z } from 'zod';
import { toJson } from '@/workflows/dsl/references';
import type { Json } from '@/workflows/interpreter/types';
import { defineNode, type ValueType } from '@/workflows/nodes/node-spec';

export const joinConfigSchema = z.object({
  mode: z
    .enum(['all', 'first'])
    .default('all')
    .describe('all: output every value; first: output the first value that is not empty'),
  values: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Named values, usually one reference per incoming branch'),
  order: z
    .array(z.string())
    .optional()
    .describe('first: the names in the order to try; by default alphabetical'),
});

export type JoinConfig = z.infer<typeof joinConfigSchema>;

export function runJoin(config: JoinConfig): Json {
  const values = toJson(config.values) as { [key: string]: Json };
  if (config.mode === 'all') return values;
  // Stored definitions do not keep object key order (jsonb), so the order is explicit or alphabetical.
  const names = config.order ?? Object.keys(values).sort();
  for (const from of names) {
    const value = values[from] ?? null;
    if (value !== null) return { value, from };
  }
  return { value: null, from: null };
}

export const joinNode = defineNode({
  type: 'join',
  title: 'Join',
  description: 'Merges parallel branches into one output.',
  category: 'logic',
  icon: '🔀',
  configSchema: joinConfigSchema,
  inputHandles: () => [null],
  outputHandles: () => [null],
  outputTypes: (config) => {
    if (config.mode === 'first') return { value: 'any', from: 'string' };
    const types: Record<string, ValueType> = {};
    for (const name of Object.keys(config.values)) types[name] = 'any';
    return types;
  },
  execution: 'activity',
  pure: true,
  run: runJoin,
});
