// The human-review node: pauses the run until a reviewer approves, rejects or edits the data
// (sent to the run as a signal), or until the optional deadline passes.
import { z } from 'zod';
import { asText } from '@/workflows/dsl/references';
import { defineNode } from '@/workflows/nodes/node-spec';

export const reviewDecisionSchema = z.object({
  decision: z.enum(['approve', 'reject', 'edit']),
  /** The edited data (decision 'edit'); the reviewed data otherwise. */
  data: z.unknown().optional(),
  comment: z.string().max(10_000).optional(),
  reviewer: z.string().max(200).optional(),
});

export type ReviewDecision = z.infer<typeof reviewDecisionSchema>;

export const humanReviewConfigSchema = z.object({
  instructions: z
    .preprocess(asText, z.string().max(20_000))
    .default('')
    .describe('What the reviewer should check'),
  data: z.unknown().optional().describe('What the reviewer sees (and may edit), e.g. {{llm.text}}'),
  deadlineMs: z
    .number()
    .int()
    .min(1000)
    .max(90 * 24 * 60 * 60 * 1000)
    .optional()
    .describe('Take the timeout branch when nobody decided within this many milliseconds'),
  allowEdit: z.boolean().default(true).describe('Let the reviewer change the data before approving'),
});

export type HumanReviewConfig = z.infer<typeof humanReviewConfigSchema>;

export const humanReviewNode = defineNode({
  type: 'human-review',
  title: 'Human review',
  description: 'Waits for a person to approve, reject or edit before continuing.',
  category: 'human',
  icon: '👀',
  configSchema: humanReviewConfigSchema,
  inputHandles: () => [null],
  // 'edit' continues on approved, with the edited data.
  outputHandles: (config) =>
    config.deadlineMs === undefined ? ['approved', 'rejected'] : ['approved', 'rejected', 'timeout'],
  outputTypes: () => ({ decision: 'string', data: 'any', comment: 'string', reviewer: 'string' }),
  execution: 'human-review',
});
