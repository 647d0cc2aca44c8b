// The LLM node: one chat completion on a workspace model provider, from a system prompt, an
// optional conversation history (trimmed to fit) and the node's messages. Answers are text
// (streamed to the run view as they arrive), any JSON, or JSON checked against a schema with one
// repair attempt. Not pure: every run costs tokens and may answer differently.
import { z } from 'zod';
import { asText } from '@/workflows/dsl/references';
import { type Json, StepError } from '@/workflows/interpreter/types';
import { type ChatMessage, callModel, estimateTokens, usageJson } from '@/workflows/nodes/llm-client';
import {
  defineNode,
  type ModelTarget,
  type NodeRunContext,
  type ValueType,
} from '@/workflows/nodes/node-spec';
import { callStructured } from '@/workflows/nodes/structured-output';

/** Prompt text fields: a field that is exactly `{{x.count}}` resolves to a number; use its text. */
export const promptText = (max = 200_000) => z.preprocess(asText, z.string().max(max));

/** Which provider and model the AI nodes call; both fall back to the workspace's defaults. */
export const modelChoiceShape = {
  providerId: z.uuid().optional().describe('Model provider; the workspace default when empty'),
  model: z.string().min(1).max(200).optional().describe("Model id; the provider's default model when empty"),
};

const messageSchema = z.object({
  role: z.enum(['user', 'assistant']).describe('Who says it'),
  content: promptText().describe('The text; may contain {{references}}'),
});

export const llmOutputSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json') }),
  z.object({
    type: z.literal('json_schema'),
    schema: z.record(z.string(), z.unknown()).describe('JSON Schema the answer must match'),
  }),
]);

/** Model calls fail transiently (429, 5xx, timeouts): retried unless the node sets its own policy. */
export const MODEL_CALL_RETRY = { maxAttempts: 3, initialMs: 1000, multiplier: 2, maxMs: 30_000 };

export const llmConfigSchema = z.object({
  ...modelChoiceShape,
  system: promptText().optional().describe('System prompt; may contain {{references}}'),
  messages: z
    .array(messageSchema)
    .min(1, 'needs at least one message')
    .max(100)
    .describe('Sent after the history'),
  temperature: z.number().min(0).max(2).optional().describe('Randomness, 0 to 2'),
  maxTokens: z.number().int().min(1).max(32768).optional().describe('Longest answer, in tokens'),
  stop: z.array(z.string().min(1)).max(4).optional().describe('The answer ends before any of these'),
  output: llmOutputSchema
    .default({ type: 'text' })
    .describe('Plain text, any JSON, or JSON matching a schema'),
  memory: z
    .object({
      history: z.unknown().describe('A {{reference}} to a list of {role, content} messages'),
      mode: z.enum(['last-turns', 'token-budget']).default('last-turns').describe('How to trim the history'),
      turns: z.number().int().min(1).max(1000).default(10).describe('last-turns: keep this many turns'),
      tokens: z.number().int().min(1).max(1_000_000).default(2000).describe('token-budget: keep this many'),
    })
    .optional()
    .describe('Earlier conversation sent before the messages'),
  stream: z.boolean().default(true).describe('Show the answer in the run view as it is written'),
});

export type LlmConfig = z.infer<typeof llmConfigSchema>;
type Memory = NonNullable<LlmConfig['memory']>;

function configError(message: string): StepError {
  return new StepError({ message, code: 'invalid_config', retryable: false });
}

/** The provider and the model to call on it; fails when neither the node nor the provider names one. */
export async function resolveModel(
  config: { providerId?: string; model?: string },
  ctx: NodeRunContext,
): Promise<{ target: ModelTarget; model: string }> {
  const target = await ctx.services.modelTarget(config.providerId);
  const model = config.model ?? target.defaultModel;
  if (!model) {
    throw configError(`no model set: choose one on the node or a default model for "${target.providerName}"`);
  }
  return { target, model };
}

/** The resolved history as chat messages; missing (null) means no history yet. */
function historyMessages(history: unknown): ChatMessage[] {
  if (history === null || history === undefined || history === '') return [];
  if (!Array.isArray(history)) throw configError('memory.history must be a list of {role, content} messages');
  const out: ChatMessage[] = [];
  history.forEach((item: unknown, i) => {
    const entry = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const { role } = entry;
    if (role !== 'user' && role !== 'assistant' && role !== 'system') {
      throw configError(`memory.history[${i}] needs a role of user, assistant or system`);
    }
    out.push({ role, content: asText(entry.content) ?? '' });
  });
  return out;
}

/** The newest part of the history that fits: N turns (2N messages) or a token budget. */
export function trimHistory(messages: ChatMessage[], memory: Memory): ChatMessage[] {
  if (memory.mode === 'last-turns') return messages.slice(-2 * memory.turns);
  let used = 0;
  let start = messages.length;
  // Newest first, stopping at the first that does not fit so the kept part stays contiguous.
  while (start > 0) {
    const cost = estimateTokens(messages[start - 1]?.content ?? '');
    if (used + cost > memory.tokens) break;
    used += cost;
    start--;
  }
  return messages.slice(start);
}

export function buildMessages(config: LlmConfig): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (config.system) messages.push({ role: 'system', content: config.system });
  if (config.memory) messages.push(...trimHistory(historyMessages(config.memory.history), config.memory));
  messages.push(...config.messages);
  return messages;
}

export async function runLlm(config: LlmConfig, ctx: NodeRunContext): Promise<Json> {
  const { target, model } = await resolveModel(config, ctx);
  const request = {
    model,
    messages: buildMessages(config),
    temperature: config.temperature,
    maxTokens: config.maxTokens,
    stop: config.stop,
    stream: config.stream,
  };
  if (config.output.type === 'text') {
    const { text, usage } = await callModel(ctx, target, request);
    return { text, usage: usageJson(usage) };
  }
  const schema = config.output.type === 'json_schema' ? config.output.schema : undefined;
  const { json, text, usage } = await callStructured(ctx, target, request, { schema, name: 'answer' });
  return { json, text, usage: usageJson(usage) };
}

/** The output type a JSON Schema promises at its root. */
export function schemaValueType(schema: Record<string, unknown>): ValueType {
  switch (schema.type) {
    case 'object':
    case 'array':
    case 'string':
    case 'boolean':
      return schema.type;
    case 'number':
    case 'integer':
      return 'number';
    default:
      return 'any';
  }
}

export const llmNode = defineNode({
  type: 'llm',
  title: 'LLM',
  description: 'Asks a language model and outputs its answer as text or JSON.',
  category: 'ai',
  icon: '🤖',
  configSchema: llmConfigSchema,
  inputHandles: () => [null],
  outputHandles: () => [null],
  outputTypes: (config): Record<string, ValueType> => {
    const output = config.output;
    if (output.type === 'text') return { text: 'string', usage: 'object' };
    const json = output.type === 'json_schema' ? schemaValueType(output.schema) : 'any';
    return { json, text: 'string', usage: 'object' };
  },
  execution: 'activity',
  defaultRetry: MODEL_CALL_RETRY,
  run: runLlm,
});
