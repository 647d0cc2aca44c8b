// The variable-assign node: names values (literals or references) so later nodes can use them as
// `{{thisNode.name}}`, e.g. to give a deeply nested field a short name.
import { z } from 'zod';
import { parseSingleReference, toJson } from '@/workflows/dsl/references';
import type { Json } from '@/workflows/interpreter/types';
import { defineNode, type ValueType } from '@/workflows/nodes/node-spec';
import { identifierSchema } from '@/workflows/nodes/start';

export const variableAssignConfigSchema = z
  .object({
    assignments: z
      .array(
        z.object({
          name: identifierSchema.describe('Variable name'),
          value: z.unknown().describe('A literal or a {{reference}}'),
        }),
      )
      .max(200)
      .default([])
      .describe('Variables to set, in order'),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.assignments.forEach((a, i) => {
      if (seen.has(a.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['assignments', i, 'name'],
          message: `duplicate name "${a.name}"`,
        });
      }
      seen.add(a.name);
    });
  });

export type VariableAssignConfig = z.infer<typeof variableAssignConfigSchema>;

/** The type of a value as written in config, when it does not depend on a reference. */
function literalType(value: unknown): ValueType {
  if (typeof value === 'string') {
    if (parseSingleReference(value)) return 'any';
    // Interpolated strings stay strings.
    return 'string';
  }
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object' && value !== null) return 'object';
  return 'any';
}

export const variableAssignNode = defineNode({
  type: 'variable-assign',
  title: 'Set variables',
  description: 'Gives values a name for later nodes.',
  category: 'transform',
  icon: '🏷️',
  configSchema: variableAssignConfigSchema,
  inputHandles: () => [null],
  outputHandles: () => [null],
  outputTypes: (config) => {
    const types: Record<string, ValueType> = {};
    for (const a of config.assignments) types[a.name] = literalType(a.value);
    return types;
  },
  execution: 'activity',
  pure: true,
  run: (config): Json => {
    const out: { [key: string]: Json } = {};
    for (const a of config.assignments) out[a.name] = toJson(a.value ?? null);
    return out;
  },
});
