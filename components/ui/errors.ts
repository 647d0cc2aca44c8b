// Turns tRPC errors into what the UI shows: a readable message, the input field at fault, the code.
interface ErrorData {
  code?: string;
  httpStatus?: number;
  field?: string | null;
  issues?: { path: string; message: string }[] | null;
}

function dataOf(error: unknown): ErrorData | undefined {
  if (!error || typeof error !== 'object' || !('data' in error)) return undefined;
  const data = (error as { data: unknown }).data;
  return data && typeof data === 'object' ? (data as ErrorData) : undefined;
}

/** The name of the input the server rejected, e.g. `password`, or null. */
export function errorField(error: unknown): string | null {
  const field = dataOf(error)?.field;
  return typeof field === 'string' && field ? field : null;
}

/** The tRPC error code, e.g. `CONFLICT` or `NOT_FOUND`. */
export function errorCode(error: unknown): string | undefined {
  return dataOf(error)?.code;
}

export function errorStatus(error: unknown): number | undefined {
  return dataOf(error)?.httpStatus;
}

/** `inviteToken` → `Invite token`; `nodes.0.id` → `Id`. */
function humanize(path: string): string {
  const last = path.split('.').pop() ?? path;
  const words = last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** One issue as a sentence: `must be a valid e-mail address` on `email` → `Email must be …`. */
function sentence(path: string, message: string, labels: Record<string, string>): string {
  if (!path) return message;
  const prefix = `${path}: `;
  const rest = message.startsWith(prefix) ? message.slice(prefix.length) : message;
  return /^[a-z]/.test(rest) ? `${labels[path] ?? humanize(path)} ${rest}` : rest;
}

/** A message fit for an alert. `labels` maps field names to the labels the form uses. */
export function errorMessage(error: unknown, labels: Record<string, string> = {}): string {
  if (!error) return '';
  const data = dataOf(error);
  if (data?.issues?.length) return data.issues.map((i) => sentence(i.path, i.message, labels)).join('. ');
  const message = error instanceof Error ? error.message : String(error);
  if (/failed to fetch|networkerror|load failed/i.test(message))
    return 'Could not reach the Weft server. Check your connection and try again.';
  const field = errorField(error);
  return field ? sentence(field, message, labels) : message || 'Something went wrong';
}
