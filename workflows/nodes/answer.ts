// The answer node of a chat app: the text sent back to the user, which becomes the run's output.
import { z } from 'zod';
import { asText } from '@/workflows/dsl/references';
import { defineNode } from '@/workflows/nodes/node-spec';

export const answerConfigSchema = z.object({
  // Preprocessed so that a text which is exactly one reference to a number still reads as text.
  text: z
    .preprocess(asText, z.string().max(100_000))
    .describe('The reply; may include references such as {{llm.text}}'),
});

export type AnswerConfig = z.infer<typeof answerConfigSchema>;

export const answerNode = defineNode({
  type: 'answer',
  title: 'Answer',
  description: 'Replies to the user with a text.',
  category: 'basic',
  icon: '💬',
  configSchema: answerConfigSchema,
  inputHandles: () => [null],
  // Chat apps may continue after answering (e.g. to log the exchange), so it keeps an output.
  outputHandles: () => [null],
  outputTypes: () => ({ answer: 'string' }),
  execution: 'activity',
  pure: true,
  terminal: true,
  run: (config) => ({ answer: config.text }),
});
