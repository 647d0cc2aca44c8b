// Definition validation of cycles: finds them level by level (loops repeat through sub-graphs,
// never through back-edges) with Kosaraju's strongly connected components.
import type { WorkflowNode } from '@/workflows/dsl/definition';
import type { Context, Entry } from '@/workflows/dsl/validate-common';
import { levelOf } from '@/workflows/dsl/validate-graph';

/** Strongly connected components with more than one node, or with a self-edge: the cycles. */
export function cycles(ids: string[], next: Map<string, string[]>): string[][] {
  const prev = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [from, tos] of next) for (const to of tos) prev.get(to)?.push(from);
  // Kosaraju, iteratively so that long chains cannot overflow the stack.
  const order: string[] = [];
  const seen = new Set<string>();
  for (const root of ids) {
    if (seen.has(root)) continue;
    seen.add(root);
    const stack: { id: string; i: number }[] = [{ id: root, i: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { id: string; i: number };
      const out = next.get(top.id) ?? [];
      if (top.i < out.length) {
        const child = out[top.i++] as string;
        if (!seen.has(child)) {
          seen.add(child);
          stack.push({ id: child, i: 0 });
        }
      } else {
        order.push(top.id);
        stack.pop();
      }
    }
  }
  const assigned = new Set<string>();
  const found: string[][] = [];
  for (const root of order.reverse()) {
    if (assigned.has(root)) continue;
    const component: string[] = [];
    const stack = [root];
    assigned.add(root);
    while (stack.length > 0) {
      const id = stack.pop() as string;
      component.push(id);
      for (const p of prev.get(id) ?? []) {
        if (!assigned.has(p)) {
          assigned.add(p);
          stack.push(p);
        }
      }
    }
    const only = component[0] as string;
    if (component.length > 1 || (next.get(only) ?? []).includes(only)) found.push(component);
  }
  return found;
}

/** Reports each cycle once, on its node that comes first in the document. */
export function checkCycles(ctx: Context, next: Map<string, string[]>): void {
  const { byId } = ctx;
  const levels = new Map<string, string[]>();
  for (const { value } of ctx.nodes) {
    const ids = levels.get(levelOf(value)) ?? [];
    ids.push(value.id);
    levels.set(levelOf(value), ids);
  }
  for (const ids of levels.values()) {
    for (const cycle of cycles(ids, next)) {
      const order = cycle.sort((a, b) => (byId.get(a)?.index ?? 0) - (byId.get(b)?.index ?? 0));
      const first = byId.get(order[0] as string) as Entry<WorkflowNode>;
      ctx.problem({
        code: 'cycle',
        message:
          order.length === 1
            ? 'it is connected to itself'
            : `nodes ${order.map((id) => `"${id}"`).join(', ')} form a cycle`,
        nodeId: first.value.id,
        path: ctx.nodePath(first),
      });
    }
  }
}
