// What the studio learns about node types and about a definition from the server: the palette's
// catalog, and for a draft its problems, each node's handles, a one-line summary and the outputs
// downstream references may use. Types only, so client components can import them; the server
// computes them with the node catalog (server/services/definition-service.ts).

export type NodeCategory = 'basic' | 'logic' | 'transform' | 'human' | 'ai' | 'integration' | 'data';

export interface NodeTypeInfo {
  type: string;
  title: string;
  description: string;
  category: NodeCategory;
  /** A short icon name from the node spec (e.g. 'play', 'git-branch'). */
  icon: string;
  /** JSON Schema (2020-12) of the config as a form fills it in (fields with defaults optional). */
  configSchema: Record<string, unknown>;
  /** A config that validates, for a node dropped from the palette. */
  defaultConfig: Record<string, unknown>;
  /** Runs as an activity, so retry / timeout / onError apply. */
  supportsErrorHandling: boolean;
  /** Holds child nodes (a loop's body). */
  container: boolean;
}

/** Same shape as the validator's problems. */
export interface DefinitionProblem {
  code: string;
  message: string;
  nodeId?: string;
  edgeId?: string;
  path: (string | number)[];
}

export interface NodeInspection {
  /** `null` is the single default handle. */
  inputHandles: (string | null)[];
  /** Includes the error handle when the node's onError is 'error-branch'. */
  outputHandles: (string | null)[];
  /** Key config at a glance, for the node card (e.g. 'GET https://api…', 'gpt-4o-mini'). */
  summary: string;
  /** Output fields a `{{node.field}}` reference may use (known ones; may be empty). */
  outputFields: string[];
}

export interface DefinitionInspection {
  problems: DefinitionProblem[];
  nodes: Record<string, NodeInspection>;
  /** For each node, the ids of the nodes upstream of it, whose outputs its config may reference. */
  upstream: Record<string, string[]>;
}

/** A node's state in a run, as the canvas shows it. */
export type NodeRunStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'paused';
