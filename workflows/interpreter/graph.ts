// Splits a definition into levels (the top level and each loop's body) with their edges indexed by
// node, so the scheduler can ask "which edges enter / leave this node" in constant time.
import type { WorkflowDefinition, WorkflowEdge, WorkflowNode } from '@/workflows/dsl/definition';
import type { NodeCatalog } from './context';

/** Level id of the nodes without a parent. Node ids start with a letter, so it cannot clash. */
export const TOP_LEVEL = '';

export interface Level {
  /** In definition order, which is also the order ready nodes are started in. */
  nodes: WorkflowNode[];
  incoming: Map<string, WorkflowEdge[]>;
  outgoing: Map<string, WorkflowEdge[]>;
}

export interface Graph {
  level(levelId: string): Level;
  /** The top-level start node, which `{{start.…}}` references alias. */
  startNodeId: string | undefined;
  /** Definition position of each node: ties between concurrent failures are broken by it. */
  order: Map<string, number>;
}

function emptyLevel(): Level {
  return { nodes: [], incoming: new Map(), outgoing: new Map() };
}

export function buildGraph(definition: WorkflowDefinition, catalog: NodeCatalog): Graph {
  const levels = new Map<string, Level>();
  const levelOf = new Map<string, string>();
  const order = new Map<string, number>();
  const levelFor = (id: string): Level => {
    let level = levels.get(id);
    if (!level) {
      level = emptyLevel();
      levels.set(id, level);
    }
    return level;
  };

  definition.nodes.forEach((node, index) => {
    const levelId = node.parentId ?? TOP_LEVEL;
    levelOf.set(node.id, levelId);
    order.set(node.id, index);
    const level = levelFor(levelId);
    level.nodes.push(node);
    level.incoming.set(node.id, []);
    level.outgoing.set(node.id, []);
  });

  for (const edge of definition.edges) {
    const levelId = levelOf.get(edge.source);
    // Edges across levels are invalid (the validator rejects them); ignoring them keeps a stray
    // one from blocking a node forever.
    if (levelId === undefined || levelOf.get(edge.target) !== levelId) continue;
    const level = levelFor(levelId);
    level.outgoing.get(edge.source)?.push(edge);
    level.incoming.get(edge.target)?.push(edge);
  }

  const startNode = levels.get(TOP_LEVEL)?.nodes.find((node) => catalog[node.type]?.execution === 'start');

  return {
    level: (levelId) => levels.get(levelId) ?? emptyLevel(),
    startNodeId: startNode?.id,
    order,
  };
}
