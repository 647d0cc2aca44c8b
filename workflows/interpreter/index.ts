// The interpreter's public surface: run a workflow through a `Durable`, plus the port's types.
export type { CatalogEntry, NodeCatalog } from './context';
export { reviewSignalName } from './human-review';
export { DEFAULT_MAX_ITERATIONS } from './loop';
export { backoffDelay, isRetryable } from './retry';
export { internalFailure, type RunWorkflowArgs, runWorkflow } from './run-workflow';
export * from './types';
