// Domain errors: services throw these with a code (and, for bad input, the field at fault); the
// tRPC layer translates them to transport codes in one middleware. Services never import tRPC.
export type DomainErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'TOO_MANY_REQUESTS'
  /** A service Weft depends on (e.g. the Temporal cluster) did not answer. */
  | 'SERVICE_UNAVAILABLE';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Path of the offending input field, e.g. `password` or `definition.nodes.0.id`. */
    readonly field?: string,
    /** Every problem found, when there are several (e.g. a workflow definition's). */
    readonly problems?: { message: string; path: string; nodeId?: string }[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (field: string, message: string) =>
  new DomainError('BAD_REQUEST', `${field}: ${message}`, field);
export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);
export const forbidden = (message: string) => new DomainError('FORBIDDEN', message);
export const conflict = (message: string) => new DomainError('CONFLICT', message);
