// Loop nodes: for-each (items, bounded concurrency) and while (condition, max iterations). Each
// iteration runs the loop's body as its own level with its own scope and step-key prefix.
import { type ConditionGroup, conditionGroupSchema, evaluateGroup } from '@/workflows/dsl/conditions';
import { resolveValue } from '@/workflows/dsl/references';
import {
  isCancellation,
  isJsonObject,
  NodeFailure,
  type RunContext,
  StepAborted,
  stepErrorData,
  toStepError,
} from './context';
import { DEFAULT_ROUTE, type NodeTask, type StepSuccess } from './execute-node';
import type { Scope } from './scope';
import { type Json, StepError, type StepErrorData } from './types';

/** A while loop without `maxIterations` still ends. */
export const DEFAULT_MAX_ITERATIONS = 100;

type IterationResult =
  | { status: 'completed'; value: Json }
  | { status: 'failed'; error: StepErrorData }
  | { status: 'aborted' };

type Iterate = (index: number, vars: Json) => Promise<IterationResult>;

interface LoopRun {
  results: Json[];
  /** The failure of the lowest-numbered failed iteration, so replays report the same one. */
  failure?: StepErrorData;
  aborted: boolean;
}

function positiveInt(value: Json | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

/** Runs one iteration of the body; never rejects. */
async function runIteration(
  ctx: RunContext,
  task: NodeTask,
  outputTemplate: unknown,
  index: number,
  vars: Json,
): Promise<IterationResult> {
  const { node, key, scope } = task;
  const iterationScope = scope.child({ [node.id]: vars });
  try {
    const result = await ctx.runLevel({
      levelId: node.id,
      scope: iterationScope,
      keyPrefix: `${key}[${index}]/`,
      parentStop: task.stop,
    });
    if (result.status === 'failed' && result.failure)
      return { status: 'failed', error: result.failure.error };
    if (result.status !== 'completed') return { status: 'aborted' };
    if (outputTemplate !== undefined) {
      return { status: 'completed', value: resolveValue(outputTemplate, iterationScope.lookup) };
    }
    // The body's leaves (no outgoing edges) that ran, in definition order rather than finishing
    // order so the result's key order does not depend on timing.
    const level = ctx.graph.level(node.id);
    const outputs = new Map(result.finished.map((f) => [f.nodeId, f.output]));
    const value: { [key: string]: Json } = {};
    for (const leaf of level.nodes) {
      const output = outputs.get(leaf.id);
      if (level.outgoing.get(leaf.id)?.length === 0 && output !== undefined) value[leaf.id] = output;
    }
    return { status: 'completed', value };
  } catch (error) {
    if (isCancellation(error)) ctx.state.cancelled = true;
    if (isCancellation(error) || error instanceof StepAborted) return { status: 'aborted' };
    return { status: 'failed', error: stepErrorData(toStepError(error)) };
  }
}

async function runForEach(items: Json[], concurrency: number, iterate: Iterate, stop: () => boolean) {
  const results: Json[] = new Array<Json>(items.length).fill(null);
  const failures: { index: number; error: StepErrorData }[] = [];
  let completed = 0;
  let aborted = false;
  let next = 0;
  // A pool of workers, each taking the next item: at most `concurrency` iterations in flight, and
  // after a failure in-flight iterations finish but no new one starts.
  const worker = async (): Promise<void> => {
    while (next < items.length && failures.length === 0 && !aborted && !stop()) {
      const index = next++;
      const result = await iterate(index, { item: items[index] ?? null, index });
      if (result.status === 'completed') {
        results[index] = result.value;
        completed++;
      } else if (result.status === 'failed') failures.push({ index, error: result.error });
      else aborted = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  failures.sort((a, b) => a.index - b.index);
  const run: LoopRun = { results, aborted: completed < items.length };
  if (failures[0]) run.failure = failures[0].error;
  return run;
}

function conditionGroup(condition: unknown): ConditionGroup {
  const parsed = conditionGroupSchema.safeParse(condition);
  if (!parsed.success) {
    throw new StepError({
      message: 'The loop condition is not valid',
      code: 'invalid_config',
      retryable: false,
    });
  }
  return parsed.data;
}

async function runWhile(
  condition: unknown,
  maxIterations: number,
  scope: Scope,
  loopId: string,
  iterate: Iterate,
  stop: () => boolean,
): Promise<LoopRun> {
  const results: Json[] = [];
  let previous: Json = null;
  for (let index = 0; index < maxIterations; index++) {
    if (stop()) return { results, aborted: true };
    const vars: Json = { index, previous };
    if (condition !== undefined) {
      const conditionScope = scope.child({ [loopId]: vars });
      let proceed: boolean;
      try {
        const group = conditionGroup(condition);
        proceed = evaluateGroup(group, (value) => resolveValue(value, conditionScope.lookup));
      } catch (error) {
        return { results, aborted: false, failure: stepErrorData(toStepError(error)) };
      }
      if (!proceed) break;
    }
    const result = await iterate(index, vars);
    if (result.status === 'failed') return { results, aborted: false, failure: result.error };
    if (result.status === 'aborted') return { results, aborted: true };
    results.push(result.value);
    previous = result.value;
  }
  return { results, aborted: false };
}

export async function runLoop(ctx: RunContext, task: NodeTask): Promise<StepSuccess> {
  const { node, key, scope } = task;
  // `output` and `condition` refer to body nodes and the loop variable, so they are resolved per
  // iteration; everything else is resolved once against the enclosing scope.
  const { output: outputTemplate, condition, ...settings } = node.config;
  const resolved = resolveValue(settings, scope.lookup);
  const config = isJsonObject(resolved) ? resolved : {};
  const iterate: Iterate = (index, vars) => runIteration(ctx, task, outputTemplate, index, vars);

  let run: LoopRun;
  let count: number;
  if (config.mode === 'while') {
    const maxIterations = positiveInt(config.maxIterations, DEFAULT_MAX_ITERATIONS);
    run = await runWhile(condition, maxIterations, scope, node.id, iterate, task.stop);
    count = run.results.length;
  } else {
    const items = config.items;
    if (!Array.isArray(items)) {
      throw new StepError({
        message: 'The loop items must be an array',
        code: 'invalid_items',
        retryable: false,
      });
    }
    run = await runForEach(items, positiveInt(config.concurrency, 1), iterate, task.stop);
    count = items.length;
  }

  if (ctx.state.cancelled) throw new StepAborted();
  if (run.failure) throw new NodeFailure(run.failure, { count });
  if (run.aborted) throw new StepAborted();
  const output: Json = { results: run.results, count: run.results.length };
  await ctx.durable.record(key, {
    nodeId: node.id,
    nodeType: node.type,
    status: 'succeeded',
    output,
    input: { count },
  });
  return { output, route: DEFAULT_ROUTE };
}
