// Errors of the published API (/api/v1) in Dify's shape: a JSON body `{ code, message, status }`
// with the HTTP status repeated. Domain errors from the services map onto it; anything else is a
// 500 whose body says nothing about the cause (it is logged instead).
import { DomainError, type DomainErrorCode } from '@/server/errors';

export type ApiErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'invalid_param'
  | 'not_found'
  | 'not_workflow_app'
  | 'app_unavailable'
  | 'method_not_allowed'
  | 'conflict'
  | 'too_large'
  | 'too_many_requests'
  | 'service_unavailable'
  | 'internal_server_error';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiErrorBody {
  code: ApiErrorCode;
  message: string;
  status: number;
}

const FROM_DOMAIN: Record<DomainErrorCode, [number, ApiErrorCode]> = {
  BAD_REQUEST: [400, 'invalid_param'],
  UNAUTHORIZED: [401, 'unauthorized'],
  FORBIDDEN: [403, 'forbidden'],
  NOT_FOUND: [404, 'not_found'],
  CONFLICT: [409, 'conflict'],
  TOO_MANY_REQUESTS: [429, 'too_many_requests'],
  SERVICE_UNAVAILABLE: [503, 'service_unavailable'],
};

/** The ApiError an error stands for; unknown errors become an opaque 500. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof DomainError) {
    const [status, code] = FROM_DOMAIN[error.code];
    return new ApiError(status, code, error.message);
  }
  return new ApiError(500, 'internal_server_error', 'Internal server error');
}

/** The error as a response. Unknown errors are logged with `where`, never sent. */
export function errorResponse(error: unknown, where = 'public API'): Response {
  const apiError = toApiError(error);
  if (apiError.status >= 500 && !(error instanceof ApiError) && !(error instanceof DomainError)) {
    console.error(`${where} failed:`, error);
  }
  const body: ApiErrorBody = { code: apiError.code, message: apiError.message, status: apiError.status };
  return Response.json(body, { status: apiError.status, headers: apiError.headers });
}
