// The condition node (if / else-if / else): each case is a group of structured conditions; the
// first case that holds names the branch to follow, 'else' when none does.
import { z } from 'zod';
import { conditionGroupSchema, evaluateGroup } from '@/workflows/dsl/conditions';
import { ERROR_HANDLE } from '@/workflows/dsl/definition';
import { toJson } from '@/workflows/dsl/references';
import { defineNode } from '@/workflows/nodes/node-spec';
import { identifierSchema } from '@/workflows/nodes/start';

export const ELSE_HANDLE = 'else';

export const conditionCaseSchema = conditionGroupSchema.extend({
  id: identifierSchema
    .refine((id) => id !== ELSE_HANDLE, `"${ELSE_HANDLE}" is reserved for the fallback branch`)
    // The error handle is taken when the node fails (error-branch); a case must not share it.
    .refine((id) => id !== ERROR_HANDLE, `"${ERROR_HANDLE}" is reserved for the error branch`)
    .describe('Branch name: the output handle taken when this case holds'),
});

export const conditionConfigSchema = z
  .object({
    cases: z.array(conditionCaseSchema).min(1, 'needs at least one case').max(50).describe('Tested in order'),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.cases.forEach((c, i) => {
      if (seen.has(c.id)) {
        ctx.addIssue({ code: 'custom', path: ['cases', i, 'id'], message: `duplicate case id "${c.id}"` });
      }
      seen.add(c.id);
    });
  });

export type ConditionConfig = z.infer<typeof conditionConfigSchema>;

export const conditionNode = defineNode({
  type: 'condition',
  title: 'Condition',
  description: 'Follows the first branch whose conditions hold, else the else branch.',
  category: 'logic',
  icon: '🚦',
  configSchema: conditionConfigSchema,
  inputHandles: () => [null],
  outputHandles: (config) => [...config.cases.map((c) => c.id), ELSE_HANDLE],
  outputTypes: () => ({ branch: 'string' }),
  execution: 'activity',
  pure: true,
  branching: true,
  // The interpreter has already substituted references, so operands are values: resolving them
  // again would misread user data that happens to look like `{{x}}`.
  run: (config) => {
    const match = config.cases.find((c) => evaluateGroup(c, toJson));
    return { branch: match ? match.id : ELSE_HANDLE };
  },
});
