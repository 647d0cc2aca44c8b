// The workflow definition document stored in app versions: nodes on a canvas joined by edges.
// This is the shape every draft must have; graph semantics (reachability, references, node
// configs) are checked by the validator in this folder as node types are added.
import { z } from 'zod';

export const SCHEMA_VERSION = 1;

export const nodeIdSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must start with a letter and use only letters, digits and _');

export const positionSchema = z.object({ x: z.number().finite(), y: z.number().finite() });

export const retryPolicySchema = z.object({
  maxAttempts: z.number().int().min(1).max(20),
  initialMs: z.number().int().min(0).max(3_600_000),
  multiplier: z.number().min(1).max(10),
  maxMs: z.number().int().min(0).max(86_400_000),
});

/** Per-node error handling: retries with exponential backoff, a timeout, and what a failure does. */
export const errorHandlingSchema = z.object({
  retry: retryPolicySchema.optional(),
  timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  onError: z.enum(['fail', 'default-value', 'error-branch']).default('fail'),
  /** The node's output when it fails and onError is default-value. */
  defaultValue: z.unknown().optional(),
});

export const nodeSchema = z.object({
  id: nodeIdSchema,
  type: z.string().min(1, 'is required').max(64),
  title: z.string().max(200),
  config: z.record(z.string(), z.unknown()),
  position: positionSchema,
  /** The loop node whose body this node belongs to (React Flow's sub-flow parent). */
  parentId: nodeIdSchema.optional(),
  error: errorHandlingSchema.optional(),
});

export const edgeSchema = z.object({
  id: z.string().min(1, 'is required').max(128),
  source: nodeIdSchema,
  sourceHandle: z.string().max(128).nullable(),
  target: nodeIdSchema,
  targetHandle: z.string().max(128).nullable(),
});

export const definitionSchema = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    nodes: z.array(nodeSchema).max(5000),
    edges: z.array(edgeSchema).max(20000),
  })
  .superRefine((def, ctx) => {
    const seen = new Set<string>();
    def.nodes.forEach((node, i) => {
      if (seen.has(node.id))
        ctx.addIssue({ code: 'custom', path: ['nodes', i, 'id'], message: `duplicate node id "${node.id}"` });
      seen.add(node.id);
    });
    const edgeIds = new Set<string>();
    def.edges.forEach((edge, i) => {
      if (edgeIds.has(edge.id))
        ctx.addIssue({ code: 'custom', path: ['edges', i, 'id'], message: `duplicate edge id "${edge.id}"` });
      edgeIds.add(edge.id);
    });
  });

export type WorkflowDefinition = z.infer<typeof definitionSchema>;
export type WorkflowNode = z.infer<typeof nodeSchema>;
export type WorkflowEdge = z.infer<typeof edgeSchema>;
export type RetryPolicy = z.infer<typeof retryPolicySchema>;
export type ErrorHandling = z.infer<typeof errorHandlingSchema>;

/** The handle an edge leaves from when a node fails and its onError is error-branch. */
export const ERROR_HANDLE = 'error';

/** The definition a new app starts with: a start node wired to its final node. */
export function starterDefinition(kind: 'chat' | 'workflow'): WorkflowDefinition {
  const last =
    kind === 'chat'
      ? { id: 'answer', type: 'answer', title: 'Answer', config: { text: '{{start.query}}' } }
      : { id: 'end', type: 'end', title: 'End', config: { outputs: {} } };
  return {
    schemaVersion: SCHEMA_VERSION,
    nodes: [
      {
        id: 'start',
        type: 'start',
        title: 'Start',
        config: { inputs: kind === 'chat' ? [{ name: 'query', type: 'string', required: true }] : [] },
        position: { x: 0, y: 0 },
      },
      { ...last, position: { x: 320, y: 0 } },
    ],
    edges: [{ id: 'e_start_last', source: 'start', sourceHandle: null, target: last.id, targetHandle: null }],
  };
}
