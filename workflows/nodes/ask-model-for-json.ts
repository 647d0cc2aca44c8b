// One question to the node's model with a schema-checked JSON answer, at temperature 0 and without
// streaming: the shared core of the question classifier and the parameter extractor.
import { resolveModel } from '@/workflows/nodes/llm';
import type { NodeRunContext } from '@/workflows/nodes/node-spec';
import { callStructured, type StructuredResult } from '@/workflows/nodes/structured-output';

export async function askModelForJson(
  config: { providerId?: string; model?: string },
  ctx: NodeRunContext,
  question: { system: string; user: string; schema: Record<string, unknown>; name: string },
): Promise<StructuredResult> {
  const { target, model } = await resolveModel(config, ctx);
  return callStructured(
    ctx,
    target,
    {
      model,
      messages: [
        { role: 'system', content: question.system },
        { role: 'user', content: question.user },
      ],
      // The same text should give the same answer (branch, fields).
      temperature: 0,
      stream: false,
    },
    { schema: question.schema, name: question.name },
  );
}
