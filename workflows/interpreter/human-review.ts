// A human review: the engine persists the request and announces the pause, then the run waits
// durably for the reviewer's decision (or the deadline) and follows the matching handle.
import type { WorkflowNode } from '@/workflows/dsl/definition';
import { isJsonObject, type RunContext } from './context';
import type { StepSuccess } from './execute-node';
import { type Json, StepError } from './types';

const DECISION_HANDLES: Record<string, string> = {
  approve: 'approved',
  edit: 'approved',
  reject: 'rejected',
};

/** The signal a reviewer's decision is delivered on; unique per step key, loops included. */
export function reviewSignalName(stepKey: string): string {
  return `review:${stepKey}`;
}

/** Each editable field's starting value (null when it has none), by name. */
function defaultFields(fields: Json | undefined): Record<string, Json> {
  const out: Record<string, Json> = {};
  if (!Array.isArray(fields)) return out;
  for (const field of fields)
    if (isJsonObject(field) && typeof field.name === 'string') out[field.name] = field.value ?? null;
  return out;
}

function customActions(actions: Json | undefined): string[] {
  if (!Array.isArray(actions)) return [];
  return actions.flatMap((a) => (isJsonObject(a) && typeof a.id === 'string' ? [a.id] : []));
}

function text(value: Json | undefined): string {
  return typeof value === 'string' ? value : '';
}

export async function runHumanReview(
  ctx: RunContext,
  node: WorkflowNode,
  key: string,
  config: Json,
): Promise<StepSuccess> {
  const request = { nodeId: node.id, nodeType: 'human-review.request', attempt: 1, config };
  await ctx.durable.activity(`${key}#request`, request, {});

  const settings = isJsonObject(config) ? config : {};
  const deadlineMs = typeof settings.deadlineMs === 'number' ? settings.deadlineMs : undefined;
  const decision = await ctx.durable.waitForSignal<Json>(reviewSignalName(key), deadlineMs);
  const original = settings.data ?? null;

  const fieldDefaults = defaultFields(settings.fields);
  let output: Json;
  let handle: string;
  if (decision === undefined) {
    output = { decision: 'timeout', data: original, fields: fieldDefaults, comment: '', reviewer: '' };
    handle = 'timeout';
  } else {
    const kind = isJsonObject(decision) ? decision.decision : undefined;
    const action = isJsonObject(decision) && typeof decision.action === 'string' ? decision.action : '';
    const mapped =
      kind === 'action' ? (customActions(settings.actions).includes(action) ? action : undefined) : undefined;
    const route = typeof kind === 'string' ? (DECISION_HANDLES[kind] ?? mapped) : undefined;
    if (!isJsonObject(decision) || typeof kind !== 'string' || route === undefined) {
      throw new StepError({
        message: 'The review decision is not valid',
        code: 'invalid_decision',
        retryable: false,
      });
    }
    // Only an edit replaces the data under review; approve and reject pass the original on.
    const data = kind === 'edit' ? (decision.data ?? null) : original;
    const fields = { ...fieldDefaults };
    if (isJsonObject(decision.fields))
      for (const name of Object.keys(fieldDefaults))
        if (name in decision.fields) fields[name] = decision.fields[name] ?? null;
    output = {
      decision: kind === 'action' ? action : kind,
      data,
      fields,
      comment: text(decision.comment),
      reviewer: text(decision.reviewer),
    };
    handle = route;
  }

  const input = decision === undefined ? {} : { input: decision };
  await ctx.durable.record(key, {
    nodeId: node.id,
    nodeType: node.type,
    status: 'succeeded',
    output,
    ...input,
  });
  return { output, route: { kind: 'handle', handle } };
}
