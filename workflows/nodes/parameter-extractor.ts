// The parameter extractor: asks a model to pull typed fields out of free text (e.g. a date and a
// city from a travel request). The parameters become a JSON Schema the answer is checked against,
// with one repair, and each field becomes an output of its own (`{{node.city}}`).
import { z } from 'zod';
import type { Json } from '@/workflows/interpreter/types';
import { askModelForJson } from '@/workflows/nodes/ask-model-for-json';
import { MODEL_CALL_RETRY, modelChoiceShape, promptText } from '@/workflows/nodes/llm';
import { usageJson } from '@/workflows/nodes/llm-client';
import { defineNode, type NodeRunContext, type ValueType } from '@/workflows/nodes/node-spec';
import { identifierSchema } from '@/workflows/nodes/start';

export const PARAMETER_TYPES = ['string', 'number', 'boolean', 'array', 'object'] as const;
/** Output fields the node sets itself, so no parameter may take their name. */
const RESERVED_NAMES = new Set(['usage']);

export const extractorParameterSchema = z.object({
  name: identifierSchema
    .refine((name) => !RESERVED_NAMES.has(name), 'is reserved for the token usage output')
    .describe('Output field name, used as {{node.name}}'),
  type: z.enum(PARAMETER_TYPES).describe('Type of the value'),
  description: z.string().min(1, 'is required').max(2000).describe('What to extract; the model reads it'),
  required: z.boolean().default(false).describe('The model must find a value (otherwise null is allowed)'),
});

export const parameterExtractorConfigSchema = z
  .object({
    ...modelChoiceShape,
    text: promptText(100_000).describe('The text to extract from; may contain {{references}}'),
    instructions: promptText(20_000).optional().describe('Extra guidance for the model'),
    parameters: z.array(extractorParameterSchema).min(1, 'needs at least one parameter').max(100),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.parameters.forEach((p, i) => {
      if (seen.has(p.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', i, 'name'],
          message: `duplicate name "${p.name}"`,
        });
      }
      seen.add(p.name);
    });
  });

export type ParameterExtractorConfig = z.infer<typeof parameterExtractorConfigSchema>;

/** The JSON Schema of the answer; optional parameters may be null when the text lacks them. */
export function extractionSchema(config: ParameterExtractorConfig): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const p of config.parameters) {
    properties[p.name] = { type: p.required ? p.type : [p.type, 'null'], description: p.description };
  }
  const required = config.parameters.filter((p) => p.required).map((p) => p.name);
  return { type: 'object', properties, required };
}

function systemPrompt(config: ParameterExtractorConfig): string {
  const lines = config.parameters.map(
    (p) => `- ${p.name} (${p.type}${p.required ? ', required' : ''}): ${p.description}`,
  );
  const prompt = [
    'Extract these parameters from the user message:',
    ...lines,
    '',
    'Answer with a JSON object with one property per parameter. Use null for a parameter the text',
    'does not contain; never invent values.',
  ];
  if (config.instructions) prompt.push('', config.instructions);
  return prompt.join('\n');
}

export async function runParameterExtractor(
  config: ParameterExtractorConfig,
  ctx: NodeRunContext,
): Promise<Json> {
  const { json, usage } = await askModelForJson(config, ctx, {
    system: systemPrompt(config),
    user: config.text,
    schema: extractionSchema(config),
    name: 'parameters',
  });
  // The schema check guarantees an object; only the declared fields are passed on, so a model's
  // extra property cannot appear as an output (or overwrite `usage`).
  const answer = json as { [key: string]: Json };
  const out: { [key: string]: Json } = {};
  for (const p of config.parameters) out[p.name] = answer[p.name] ?? null;
  out.usage = usageJson(usage);
  return out;
}

export const parameterExtractorNode = defineNode({
  type: 'parameter-extractor',
  title: 'Parameter extractor',
  description: 'Lets a model extract typed fields from a text.',
  category: 'ai',
  icon: '🧲',
  configSchema: parameterExtractorConfigSchema,
  inputHandles: () => [null],
  outputHandles: () => [null],
  outputTypes: (config) => {
    const types: Record<string, ValueType> = { usage: 'object' };
    for (const p of config.parameters) types[p.name] = p.type;
    return types;
  },
  execution: 'activity',
  defaultRetry: MODEL_CALL_RETRY,
  run: runParameterExtractor,
});
