// Structured output for the AI nodes (llm in JSON modes, question classifier, parameter
// extractor): call the model with a JSON response format, parse and check the answer, and when it
// is broken ask the model once to repair it, telling it exactly what was wrong. One repair fixes
// most slips (a stray code fence, a wrong type); a second failure is reported, not retried, because
// the same prompt would most likely fail the same way.
import { toJson } from '@/workflows/dsl/references';
import { type Json, StepError } from '@/workflows/interpreter/types';
import { checkJsonSchema, formatProblems } from '@/workflows/nodes/json-schema-check';
import {
  addUsage,
  type CallOptions,
  type ChatMessage,
  callModel,
  type ModelRequest,
  type ResponseFormat,
} from '@/workflows/nodes/llm-client';
import type { ModelTarget, NodeRunContext, TokenUsage } from '@/workflows/nodes/node-spec';

export interface StructuredSpec {
  /** The answer must match it (json_schema mode); without one any JSON is accepted (json_object). */
  schema?: Record<string, unknown>;
  /** The schema's name as sent to the provider (letters, digits, _ and -). */
  name?: string;
}

export interface StructuredResult {
  json: Json;
  /** The accepted answer's raw text. */
  text: string;
  /** Summed over the answer and its repair (each call was reported on its own). */
  usage: TokenUsage;
}

type Verdict = { ok: true; value: Json } | { ok: false; kind: 'json' | 'schema'; problems: string[] };

/** Models like to wrap JSON in a Markdown fence even when told not to; that alone is no error. */
function unfence(text: string): string {
  const fenced = /^```[A-Za-z]*\s*\n?([\s\S]*?)\n?\s*```$/.exec(text.trim());
  return fenced?.[1] ?? text.trim();
}

export function judgeAnswer(text: string, schema: Record<string, unknown> | undefined): Verdict {
  let value: unknown;
  try {
    value = JSON.parse(unfence(text));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, kind: 'json', problems: [reason] };
  }
  const problems = schema ? checkJsonSchema(value, schema) : [];
  if (problems.length > 0) return { ok: false, kind: 'schema', problems: formatProblems(problems) };
  return { ok: true, value: toJson(value) };
}

function repairPrompt(verdict: Verdict & { ok: false }, schema: Record<string, unknown> | undefined): string {
  const lines =
    verdict.kind === 'json'
      ? [`Your previous answer is not valid JSON: ${verdict.problems.join('; ')}.`]
      : [
          'Your previous answer does not match the required schema:',
          ...verdict.problems.map((p) => `- ${p}`),
        ];
  lines.push('', 'Reply with only the corrected JSON: no explanations and no code fences.');
  if (schema) lines.push(`It must match this JSON Schema: ${JSON.stringify(schema)}`);
  return lines.join('\n');
}

/**
 * OpenAI refuses json_object mode unless the prompt mentions JSON; say it in the system message
 * when the user's prompt does not, rather than failing with a confusing 400.
 */
function withJsonHint(messages: ChatMessage[]): ChatMessage[] {
  if (messages.some((m) => /json/i.test(m.content))) return messages;
  const hint = 'Reply with a JSON object.';
  const [first, ...rest] = messages;
  if (first?.role === 'system') return [{ role: 'system', content: `${first.content}\n\n${hint}` }, ...rest];
  return [{ role: 'system', content: hint }, ...messages];
}

/** Calls the model for JSON, repairing a broken answer once; fails with 'llm_invalid_output'. */
export async function callStructured(
  ctx: NodeRunContext,
  target: ModelTarget,
  request: Omit<ModelRequest, 'responseFormat'>,
  spec: StructuredSpec,
  options: CallOptions = {},
): Promise<StructuredResult> {
  const responseFormat: ResponseFormat = spec.schema
    ? { type: 'json_schema', name: spec.name ?? 'answer', schema: spec.schema }
    : { type: 'json_object' };
  const messages = spec.schema ? request.messages : withJsonHint(request.messages);
  const first = await callModel(ctx, target, { ...request, messages, responseFormat }, options);
  const verdict = judgeAnswer(first.text, spec.schema);
  if (verdict.ok) return { json: verdict.value, text: first.text, usage: first.usage };

  ctx.log(`The model's answer was rejected (${verdict.problems.join('; ')}); asking it once to repair it`);
  // Not streamed: the deltas already shown were the rejected answer, the repair is only a fix-up.
  const repairMessages: ChatMessage[] = [
    ...messages,
    { role: 'assistant', content: first.text },
    { role: 'user', content: repairPrompt(verdict, spec.schema) },
  ];
  const second = await callModel(
    ctx,
    target,
    { ...request, messages: repairMessages, responseFormat, stream: false },
    options,
  );
  const usage = addUsage(first.usage, second.usage);
  const retried = judgeAnswer(second.text, spec.schema);
  if (retried.ok) return { json: retried.value, text: second.text, usage };
  const what = retried.kind === 'json' ? 'was not valid JSON' : 'did not match the schema';
  throw new StepError({
    message: `The model's answer ${what} after one repair: ${retried.problems.join('; ')}`,
    code: 'llm_invalid_output',
    retryable: false,
  });
}
