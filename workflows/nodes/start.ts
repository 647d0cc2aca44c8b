// The start node: declares the run's inputs (their names, types, defaults), which later nodes read
// as `{{start.name}}`. Also checks the inputs a caller passes when starting a run.
import { z } from 'zod';
import { toJson } from '@/workflows/dsl/references';
import type { Json } from '@/workflows/interpreter/types';
import { defineNode, type ValueType } from '@/workflows/nodes/node-spec';

export const INPUT_TYPES = ['string', 'number', 'boolean', 'object', 'array'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

export const identifierSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must start with a letter and use only letters, digits and _');

export const startInputSchema = z.object({
  name: identifierSchema.describe('Field name, used as {{start.name}}'),
  type: z.enum(INPUT_TYPES).describe('Type of the value callers must pass'),
  required: z.boolean().default(false).describe('Refuse to start a run without it'),
  default: z.unknown().optional().describe('Value used when the caller omits the field'),
  description: z.string().max(500).optional().describe('Shown to whoever fills in the input'),
});

export const startConfigSchema = z
  .object({
    inputs: z.array(startInputSchema).max(100).default([]).describe('Inputs the run is started with'),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.inputs.forEach((input, i) => {
      if (seen.has(input.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['inputs', i, 'name'],
          message: `duplicate input "${input.name}"`,
        });
      }
      seen.add(input.name);
      if (input.default !== undefined && coerce(input.type, input.default) === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['inputs', i, 'default'],
          message: `must be ${article(input.type)}`,
        });
      }
    });
  });

export type StartConfig = z.infer<typeof startConfigSchema>;

function article(type: InputType): string {
  return type === 'object' || type === 'array' ? `an ${type}` : `a ${type}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** The value as the declared type, or undefined when it is not one (numeric strings count as numbers). */
function coerce(type: InputType, value: unknown): Json | undefined {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'number': {
      const n = typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'object':
      return isPlainObject(value) ? toJson(value) : undefined;
    case 'array':
      return Array.isArray(value) ? toJson(value) : undefined;
  }
}

export type RunInputsResult =
  | { ok: true; values: Record<string, Json> }
  | { ok: false; problems: { field: string; message: string }[] };

/**
 * Checks a run's inputs against the start node's declarations: required fields present, types
 * right (numeric strings become numbers, as form fields and query strings send them), no
 * undeclared fields; defaults fill omitted fields. Omitted optional fields without a default stay
 * absent (references to them resolve to null).
 */
export function validateRunInputs(
  config: z.input<typeof startConfigSchema>,
  inputs: unknown,
): RunInputsResult {
  const problems: { field: string; message: string }[] = [];
  const values: Record<string, Json> = {};
  if (inputs !== undefined && inputs !== null && !isPlainObject(inputs)) {
    return { ok: false, problems: [{ field: '', message: 'inputs must be an object' }] };
  }
  const given: Record<string, unknown> = inputs ?? {};
  const declared = config.inputs ?? [];
  const names = new Set(declared.map((input) => input.name));
  for (const field of Object.keys(given)) {
    if (!names.has(field)) problems.push({ field, message: 'is not a declared input' });
  }
  for (const input of declared) {
    const raw = Object.hasOwn(given, input.name) ? given[input.name] : undefined;
    if (raw === undefined || raw === null) {
      if (input.default !== undefined) values[input.name] = toJson(input.default);
      else if (input.required) problems.push({ field: input.name, message: 'is required' });
      continue;
    }
    const value = coerce(input.type, raw);
    if (value === undefined) {
      problems.push({ field: input.name, message: `must be ${article(input.type)}` });
    } else {
      values[input.name] = value;
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

export const startNode = defineNode({
  type: 'start',
  title: 'Start',
  description: 'Where the run begins; declares the inputs it is started with.',
  category: 'basic',
  icon: '▶️',
  configSchema: startConfigSchema,
  inputHandles: () => [],
  outputHandles: () => [null],
  outputTypes: (config) => {
    const types: Record<string, ValueType> = {};
    for (const input of config.inputs) types[input.name] = input.type;
    return types;
  },
  execution: 'start',
});
