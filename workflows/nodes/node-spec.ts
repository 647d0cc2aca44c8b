// The shape every node type file exports: its config schema (also served as JSON Schema to the
// studio's forms), its ports, catalog metadata, and either a run function (executed as an
// activity, where side effects are allowed) or the name of the interpreter construct it uses.
import type { z } from 'zod';
import type { RetryPolicy } from '@/workflows/dsl/definition';
import type { Json } from '@/workflows/interpreter/types';

export type ValueType = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'any';

/** Where a model call goes: an OpenAI-compatible endpoint of the workspace (or the fallback). */
export interface ModelTarget {
  /** Shown in errors, e.g. "OpenAI" or "Local vLLM". */
  providerName: string;
  baseURL: string | undefined;
  apiKey: string;
  defaultModel: string | undefined;
  /** USD per 1M tokens, by model id. */
  prices: Record<string, { input: number; output: number }>;
}

export interface TokenUsage {
  model: string;
  promptTokens: number;
  completionTokens: number;
  /** USD, from the provider's price table (0 when the model has no price). */
  cost: number;
}

/** What the product offers node run functions beyond their config (injected by the engine). */
export interface NodeServices {
  /** The workspace's model provider by id, its default provider when omitted. */
  modelTarget(providerId?: string | null): Promise<ModelTarget>;
  /**
   * Opens the inbox task of a review the run is about to wait for (idempotent per step). Absent
   * where there is no inbox (unit tests of the interpreter).
   */
  openReview?(request: { runId: string; stepKey: string; nodeId: string; config: Json }): Promise<void>;
}

export interface NodeRunContext {
  runId: string;
  workspaceId: string;
  stepKey: string;
  /** `${runId}:${step}` (no attempt number): the same for every attempt of the step and after a crash. */
  idempotencyKey: string;
  attempt: number;
  signal: AbortSignal;
  log(message: string): void;
  /** Appends a run event (e.g. streamed LLM deltas). */
  emit(type: string, data: Json): void;
  /** Records tokens and cost on the step (summed into the run's totals). */
  reportUsage(usage: TokenUsage): void;
  services: NodeServices;
}

export interface NodeSpec<Config = unknown> {
  type: string;
  title: string;
  description: string;
  category: 'basic' | 'logic' | 'transform' | 'human' | 'ai' | 'integration' | 'data';
  icon: string;
  configSchema: z.ZodType<Config>;
  /** Handles the node exposes, given its config. `null` is the single default handle. */
  inputHandles(config: Config): (string | null)[];
  outputHandles(config: Config): (string | null)[];
  /** Known output field types (for validation of references); omit when unknown. */
  outputTypes?(config: Config): Record<string, ValueType>;
  /**
   * How the interpreter executes it: 'activity' calls `run` through the engine; the others are
   * interpreter constructs built on durable primitives.
   */
  execution: 'activity' | 'start' | 'loop' | 'delay' | 'human-review';
  /** When true, the output's `branch` field names the handle to follow. */
  branching?: boolean;
  /** Marks nodes whose output becomes the run's output (end, answer). */
  terminal?: boolean;
  /** Retries for nodes that set none themselves (e.g. model calls: rate limits, 5xx). */
  defaultRetry?: RetryPolicy;
  /**
   * No side effects: the output depends only on the config. The engine may continue before such a
   * step's journal row is stored (a crash just recomputes it); side-effecting nodes wait until
   * everything before them is stored.
   */
  pure?: boolean;
  run?(config: Config, ctx: NodeRunContext): Promise<Json> | Json;
}

export function defineNode<Config>(spec: NodeSpec<Config>): NodeSpec<Config> {
  return spec;
}
