// Definition validation, node by node: reserved ids, node types the catalog knows, and configs
// that pass their node's schema (the parsed configs are kept for the checks that follow).
import { isSpecialRoot } from '@/workflows/dsl/references';
import { type Context, issueMessage, toPath } from '@/workflows/dsl/validate-common';

export function checkNodes(ctx: Context): void {
  const { problem, nodePath } = ctx;
  for (const entry of ctx.nodes) {
    const node = entry.value;
    if (isSpecialRoot(node.id) && !(node.id === 'start' && ctx.isStart(node))) {
      problem({
        code: 'reserved_node_id',
        message: `the id "${node.id}" is reserved for {{${node.id}.…}} references`,
        nodeId: node.id,
        path: nodePath(entry, 'id'),
      });
    }
    const spec = ctx.specOf(node);
    if (!spec) {
      problem({
        code: 'unknown_node_type',
        message: `unknown node type "${node.type}"`,
        nodeId: node.id,
        path: nodePath(entry, 'type'),
      });
      continue;
    }
    const result = spec.configSchema.safeParse(node.config);
    if (result.success) {
      ctx.configs.set(node.id, result.data);
      continue;
    }
    for (const issue of result.error.issues) {
      problem({
        code: 'invalid_config',
        message: issueMessage(issue, node.config, (p) => p.join('.') || 'config'),
        nodeId: node.id,
        path: nodePath(entry, 'config', ...toPath(issue.path)),
      });
    }
  }
}
