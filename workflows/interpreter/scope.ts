// Where references look values up: one scope per level run (the run, and each loop iteration),
// chained so an iteration sees its own nodes first and then those of the enclosing levels.
import { getPath } from '@/workflows/dsl/references';
import type { Json } from './types';

export class Scope {
  private readonly values = new Map<string, Json>();

  /**
   * @param parent the enclosing scope, if any
   * @param startNodeId the node `start` aliases (only consulted when no node is called `start`)
   * @param vars values bound in this scope before any node runs (a loop's `{ item, index }`)
   */
  constructor(
    readonly parent: Scope | undefined,
    private readonly startNodeId: string | undefined,
    vars: Record<string, Json> = {},
  ) {
    for (const [key, value] of Object.entries(vars)) this.values.set(key, value);
  }

  /** Stores a node's output. Skipped nodes never get one, so references to them are undefined. */
  set(nodeId: string, output: Json): void {
    this.values.set(nodeId, output);
  }

  /** The innermost binding of `root`, or undefined. */
  get(root: string): Json | undefined {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      if (scope.values.has(root)) return scope.values.get(root);
    }
    if (root === 'start' && this.startNodeId !== undefined && this.startNodeId !== 'start') {
      return this.get(this.startNodeId);
    }
    return undefined;
  }

  /** The lookup `resolveValue` and `evaluateGroup` use; bound so it can be passed around. */
  readonly lookup = (root: string, path: string[]): Json | undefined => getPath(this.get(root), path);

  child(vars: Record<string, Json>): Scope {
    return new Scope(this, this.startNodeId, vars);
  }
}
