// Reads Dify-style Server-Sent Events from /api/v1 the way Dify's clients do: `data: {json}` lines
// separated by blank lines, with `event: ping` keep-alives in between (kept apart here).
export interface DifyEvent {
  event: string;
  task_id?: string;
  workflow_run_id?: string;
  data?: Record<string, unknown>;
  [field: string]: unknown;
}

/** Parses one SSE block; null for blocks without data (pings). */
function parseBlock(block: string): DifyEvent | null {
  const data = block
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trimStart())
    .join('\n');
  return data ? (JSON.parse(data) as DifyEvent) : null;
}

/** Events as they arrive, until the server ends the stream. */
export async function* difyEvents(res: Response): AsyncGenerator<DifyEvent> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const event = parseBlock(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event) yield event;
      end = buffer.indexOf('\n\n');
    }
  }
  const last = parseBlock(buffer.trim());
  if (last) yield last;
}

/** Every event of a stream. */
export async function allDifyEvents(res: Response): Promise<DifyEvent[]> {
  const events: DifyEvent[] = [];
  for await (const event of difyEvents(res)) events.push(event);
  return events;
}
