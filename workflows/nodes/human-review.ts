// The human-review node: pauses the run until a reviewer approves, rejects, takes one of the node's
// custom actions (each its own handle) or edits the data and fields (sent to the run as a signal),
// or until the optional deadline passes. The inbox shows the task with its instructions, context
// values and typed fields to the assigned reviewers (server/services/review-service.ts).
import { z } from 'zod';
import { asText } from '@/workflows/dsl/references';
import { defineNode } from '@/workflows/nodes/node-spec';

/** Built-in decisions; `action` is a custom action of the node (its id in `action`). */
export const reviewDecisionSchema = z.object({
  decision: z.enum(['approve', 'reject', 'edit', 'action']),
  /** The custom action taken (decision 'action'). */
  action: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,39}$/)
    .optional(),
  /** The edited data (decision 'edit'); the reviewed data otherwise. */
  data: z.unknown().optional(),
  /** The values of the node's editable fields, as the reviewer left them. */
  fields: z.record(z.string(), z.unknown()).optional(),
  comment: z.string().max(10_000).optional(),
  reviewer: z.string().max(200).optional(),
});

export type ReviewDecision = z.infer<typeof reviewDecisionSchema>;

export const REVIEW_FIELD_TYPES = ['text', 'long-text', 'number', 'boolean', 'select', 'json'] as const;
export type ReviewFieldType = (typeof REVIEW_FIELD_TYPES)[number];

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, 'must start with a lowercase letter (a-z, 0-9, _ ; at most 40)');

export const reviewFieldSchema = z.object({
  name: identifier.describe('Name in the output (fields.<name>)'),
  label: z.string().max(200).default('').describe('Label the reviewer sees'),
  type: z.enum(REVIEW_FIELD_TYPES).default('text'),
  /** Choices of a select field. */
  options: z.array(z.string().max(200)).max(100).optional().describe('Choices (select fields)'),
  required: z.boolean().default(false),
  /** The value the reviewer starts from, e.g. {{llm.text}}. */
  value: z.unknown().optional().describe('Starting value, e.g. {{llm.text}}'),
});
export type ReviewField = z.infer<typeof reviewFieldSchema>;

export const reviewActionSchema = z.object({
  id: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'must start with a lowercase letter (a-z, 0-9, _, - ; at most 40)')
    .refine(
      (id) => !['approve', 'reject', 'edit', 'action', 'approved', 'rejected', 'timeout'].includes(id),
      {
        message: 'is a built-in decision or handle name',
      },
    )
    .describe('Handle name of the action'),
  label: z.string().max(100).default('').describe('Button label'),
});

export const reviewAssigneesSchema = z.object({
  /** anyone: any member who may review; members: the listed users; role: members with that role or above. */
  mode: z.enum(['anyone', 'members', 'role']).default('anyone'),
  userIds: z.array(z.string().uuid()).max(100).optional().describe('Members who may decide'),
  role: z.enum(['reviewer', 'editor', 'owner']).optional().describe('Lowest role that may decide'),
});
export type ReviewAssignees = z.infer<typeof reviewAssigneesSchema>;

export const humanReviewConfigSchema = z
  .object({
    title: z.preprocess(asText, z.string().max(200)).optional().describe('What the inbox calls the task'),
    instructions: z
      .preprocess(asText, z.string().max(20_000))
      .default('')
      .describe('What the reviewer should check (markdown)'),
    data: z.unknown().optional().describe('What the reviewer sees (and may edit), e.g. {{llm.text}}'),
    /** Values shown to the reviewer for context, read-only. */
    context: z
      .array(z.object({ label: z.string().max(200), value: z.unknown() }))
      .max(50)
      .optional()
      .describe('Read-only values the reviewer sees'),
    fields: z.array(reviewFieldSchema).max(50).optional().describe('Fields the reviewer may edit'),
    actions: z.array(reviewActionSchema).max(10).optional().describe('Actions besides approve and reject'),
    assignees: reviewAssigneesSchema.optional().describe('Who may decide'),
    deadlineMs: z
      .number()
      .int()
      .min(1000)
      .max(90 * 24 * 60 * 60 * 1000)
      .optional()
      .describe('Take the timeout branch when nobody decided within this many milliseconds'),
    reminderMs: z
      .number()
      .int()
      .min(60_000)
      .max(90 * 24 * 60 * 60 * 1000)
      .optional()
      .describe('Remind the reviewers when still undecided after this many milliseconds'),
    allowEdit: z.boolean().default(true).describe('Let the reviewer change the data before approving'),
    allowExternal: z
      .boolean()
      .optional()
      .describe('Allow a signed link for a reviewer outside the workspace'),
  })
  .superRefine((config, ctx) => {
    const names = new Set<string>();
    for (const [i, field] of (config.fields ?? []).entries()) {
      if (names.has(field.name))
        ctx.addIssue({
          code: 'custom',
          path: ['fields', i, 'name'],
          message: `"${field.name}" is used twice`,
        });
      names.add(field.name);
      if (field.type === 'select' && !field.options?.length)
        ctx.addIssue({
          code: 'custom',
          path: ['fields', i, 'options'],
          message: 'a select field needs choices',
        });
    }
    const ids = new Set<string>();
    for (const [i, action] of (config.actions ?? []).entries()) {
      if (ids.has(action.id))
        ctx.addIssue({ code: 'custom', path: ['actions', i, 'id'], message: `"${action.id}" is used twice` });
      ids.add(action.id);
    }
    const assignees = config.assignees;
    if (assignees?.mode === 'members' && !assignees.userIds?.length)
      ctx.addIssue({ code: 'custom', path: ['assignees', 'userIds'], message: 'name at least one member' });
    if (assignees?.mode === 'role' && !assignees.role)
      ctx.addIssue({ code: 'custom', path: ['assignees', 'role'], message: 'choose a role' });
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
  // 'edit' continues on approved, with the edited data; each custom action has its own handle.
  outputHandles: (config) => [
    'approved',
    'rejected',
    ...(config.actions ?? []).map((a) => a.id),
    ...(config.deadlineMs === undefined ? [] : ['timeout']),
  ],
  outputTypes: () => ({
    decision: 'string',
    data: 'any',
    fields: 'object',
    comment: 'string',
    reviewer: 'string',
  }),
  execution: 'human-review',
});
