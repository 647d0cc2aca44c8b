// The node catalog as the Temporal workflow receives it: only what the interpreter dispatches on,
// as plain data (the node modules themselves do I/O and cannot enter the workflow sandbox).
import type { RetryPolicy } from '@/workflows/dsl/definition';
import type { CatalogEntry } from '@/workflows/interpreter/context';
import type { TemporalCatalog } from './contract';

export function workflowCatalog(
  specs: Record<string, CatalogEntry & { defaultRetry?: RetryPolicy; pure?: boolean }>,
): TemporalCatalog {
  const catalog: TemporalCatalog = {};
  for (const [type, spec] of Object.entries(specs)) {
    const entry: TemporalCatalog[string] = { execution: spec.execution };
    if (spec.branching) entry.branching = true;
    if (spec.terminal) entry.terminal = true;
    if (spec.pure) entry.pure = true;
    if (spec.defaultRetry) entry.defaultRetry = { ...spec.defaultRetry };
    catalog[type] = entry;
  }
  return catalog;
}
