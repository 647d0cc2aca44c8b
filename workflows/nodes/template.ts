// The template node: builds a text from references to earlier outputs. Templating is reference
// substitution only (`{{node.field}}`, done by the interpreter before run is called): there is no
// code, no loops and no filters, so templates cannot execute anything.
import { z } from 'zod';
import { asText } from '@/workflows/dsl/references';
import { defineNode } from '@/workflows/nodes/node-spec';

export const templateConfigSchema = z.object({
  template: z
    .preprocess(asText, z.string().max(200_000))
    .describe('Text with {{node.field}} references; objects and lists are inserted as JSON'),
});

export type TemplateConfig = z.infer<typeof templateConfigSchema>;

export const templateNode = defineNode({
  type: 'template',
  title: 'Template',
  description: 'Builds a text from earlier outputs by substituting {{references}}.',
  category: 'transform',
  icon: '📝',
  configSchema: templateConfigSchema,
  inputHandles: () => [null],
  outputHandles: () => [null],
  outputTypes: () => ({ text: 'string' }),
  execution: 'activity',
  pure: true,
  run: (config) => ({ text: config.template }),
});
