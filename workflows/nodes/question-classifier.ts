// The question classifier: asks a model which of the configured classes a question belongs to
// and follows that class's branch. The answer is structured (class id from an enum, plus a reason
// for the run view), so a model naming an unknown class gets one repair and then fails clearly
// instead of silently taking some branch.
import { z } from 'zod';
import { ERROR_HANDLE } from '@/workflows/dsl/definition';
import { type Json, StepError } from '@/workflows/interpreter/types';
import { askModelForJson } from '@/workflows/nodes/ask-model-for-json';
import { ELSE_HANDLE } from '@/workflows/nodes/condition';
import { MODEL_CALL_RETRY, modelChoiceShape, promptText } from '@/workflows/nodes/llm';
import { usageJson } from '@/workflows/nodes/llm-client';
import { defineNode, type NodeRunContext } from '@/workflows/nodes/node-spec';
import { identifierSchema } from '@/workflows/nodes/start';

export const classifierClassSchema = z.object({
  id: identifierSchema
    // Kept free for the handles other nodes use, so a class never shadows them on the canvas.
    .refine((id) => id !== ELSE_HANDLE, `"${ELSE_HANDLE}" is reserved`)
    .refine((id) => id !== ERROR_HANDLE, `"${ERROR_HANDLE}" is reserved for the error branch`)
    .describe('Branch name: the output handle taken for this class'),
  label: z.string().min(1, 'is required').max(200).describe('Short name the model sees'),
  description: z.string().max(2000).optional().describe('When a question belongs to this class'),
});

export const questionClassifierConfigSchema = z
  .object({
    ...modelChoiceShape,
    question: promptText(100_000).describe('The text to classify, usually {{start.query}}'),
    instructions: promptText(20_000).optional().describe('Extra guidance for the model'),
    classes: z.array(classifierClassSchema).min(2, 'needs at least two classes').max(50),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.classes.forEach((c, i) => {
      if (seen.has(c.id)) {
        ctx.addIssue({ code: 'custom', path: ['classes', i, 'id'], message: `duplicate class id "${c.id}"` });
      }
      seen.add(c.id);
    });
  });

export type QuestionClassifierConfig = z.infer<typeof questionClassifierConfigSchema>;

function systemPrompt(config: QuestionClassifierConfig): string {
  const classes = config.classes.map(
    (c) => `- ${JSON.stringify(c.id)}: ${c.label}${c.description ? ` (${c.description})` : ''}`,
  );
  const lines = [
    'You classify the user message into exactly one of these classes (id: label):',
    ...classes,
    '',
    'Answer with a JSON object {"class": <class id>, "reason": <one short sentence>}.',
  ];
  if (config.instructions) lines.push('', config.instructions);
  return lines.join('\n');
}

export async function runQuestionClassifier(
  config: QuestionClassifierConfig,
  ctx: NodeRunContext,
): Promise<Json> {
  const ids = config.classes.map((c) => c.id);
  const schema = {
    type: 'object',
    properties: { class: { type: 'string', enum: ids }, reason: { type: 'string' } },
    required: ['class', 'reason'],
  };
  const { json, usage } = await askModelForJson(config, ctx, {
    system: systemPrompt(config),
    user: config.question,
    schema,
    name: 'classification',
  });
  // The schema check guarantees an object whose class is one of the ids; looked up to be sure.
  const answer = json as { class: string; reason: string };
  const chosen = config.classes.find((c) => c.id === answer.class);
  if (!chosen) {
    throw new StepError({
      message: 'The model named no known class',
      code: 'llm_invalid_output',
      retryable: false,
    });
  }
  return {
    branch: chosen.id,
    class: chosen.id,
    label: chosen.label,
    reason: answer.reason,
    usage: usageJson(usage),
  };
}

export const questionClassifierNode = defineNode({
  type: 'question-classifier',
  title: 'Question classifier',
  description: 'Lets a model sort a question into one of several classes, each its own branch.',
  category: 'ai',
  icon: '🧭',
  configSchema: questionClassifierConfigSchema,
  inputHandles: () => [null],
  outputHandles: (config) => config.classes.map((c) => c.id),
  outputTypes: () => ({
    branch: 'string',
    class: 'string',
    label: 'string',
    reason: 'string',
    usage: 'object',
  }),
  execution: 'activity',
  defaultRetry: MODEL_CALL_RETRY,
  branching: true,
  run: runQuestionClassifier,
});
