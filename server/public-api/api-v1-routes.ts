// The /api/v1 route table: every route file of app/api/v1 with its path pattern, so a request can
// be matched to the same handler Next.js would run without going through Next's request pipeline
// (see server/http/api-fast-path.ts). The route files stay the single definition of each handler.
import * as catchAll from '@/app/api/v1/[...path]/route';
import * as chatCompletions from '@/app/api/v1/chat/completions/route';
import * as chatMessageStop from '@/app/api/v1/chat-messages/[taskId]/stop/route';
import * as chatMessages from '@/app/api/v1/chat-messages/route';
import * as conversationName from '@/app/api/v1/conversations/[id]/name/route';
import * as conversation from '@/app/api/v1/conversations/[id]/route';
import * as conversations from '@/app/api/v1/conversations/route';
import * as humanInputForm from '@/app/api/v1/form/human_input/[token]/route';
import * as info from '@/app/api/v1/info/route';
import * as messageFeedbacks from '@/app/api/v1/messages/[id]/feedbacks/route';
import * as messages from '@/app/api/v1/messages/route';
import * as parameters from '@/app/api/v1/parameters/route';
import * as callbackSecret from '@/app/api/v1/workflows/callback-secret/route';
import * as workflowRunEvents from '@/app/api/v1/workflows/run/[id]/events/route';
import * as workflowRun from '@/app/api/v1/workflows/run/[id]/route';
import * as workflowRuns from '@/app/api/v1/workflows/run/route';
import * as workflowTaskStop from '@/app/api/v1/workflows/tasks/[taskId]/stop/route';

type RouteHandler = (req: Request, segment: { params: Promise<Record<string, string>> }) => Promise<Response>;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Path patterns below /api/v1: `[name]` is one segment, captured as a parameter. */
const ROUTES: [string, object][] = [
  ['chat-messages', chatMessages],
  ['chat-messages/[taskId]/stop', chatMessageStop],
  ['chat/completions', chatCompletions],
  ['conversations', conversations],
  ['conversations/[id]', conversation],
  ['conversations/[id]/name', conversationName],
  ['form/human_input/[token]', humanInputForm],
  ['info', info],
  ['messages', messages],
  ['messages/[id]/feedbacks', messageFeedbacks],
  ['parameters', parameters],
  ['workflows/callback-secret', callbackSecret],
  ['workflows/run', workflowRuns],
  ['workflows/run/[id]', workflowRun],
  ['workflows/run/[id]/events', workflowRunEvents],
  ['workflows/tasks/[taskId]/stop', workflowTaskStop],
];

interface CompiledRoute {
  segments: string[];
  handlers: Partial<Record<string, RouteHandler>>;
}

function handlersOf(module: object): Partial<Record<string, RouteHandler>> {
  const exported = module as Record<string, unknown>;
  const out: Partial<Record<string, RouteHandler>> = {};
  for (const method of METHODS)
    if (typeof exported[method] === 'function') out[method] = exported[method] as RouteHandler;
  return out;
}

const compiled: CompiledRoute[] = ROUTES.map(([pattern, module]) => ({
  segments: pattern.split('/'),
  handlers: handlersOf(module),
}));
const fallback = handlersOf(catchAll);

/** Static segments win over parameters, as in Next's router: `[x]` matches only what no static route does. */
function match(parts: string[]): { route: CompiledRoute; params: Record<string, string> } | null {
  let best: { route: CompiledRoute; params: Record<string, string>; statics: number } | null = null;
  for (const route of compiled) {
    if (route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let statics = 0;
    let ok = true;
    for (const [i, segment] of route.segments.entries()) {
      const part = parts[i] ?? '';
      if (segment.startsWith('[')) params[segment.slice(1, -1)] = part;
      else if (segment === part) statics += 1;
      else {
        ok = false;
        break;
      }
    }
    if (ok && (!best || statics > best.statics)) best = { route, params, statics };
  }
  return best;
}

/**
 * The handler for a request to /api/v1 and its path parameters, or null when the route has no such
 * method (the caller then leaves the request to Next.js, which answers 405) or the path is not
 * below /api/v1. Paths below /api/v1 that no route has get the catch-all's 404.
 */
export function apiV1Handler(
  method: string,
  pathname: string,
): { handler: RouteHandler; params: Record<string, string> } | null {
  if (!pathname.startsWith('/api/v1/')) return null;
  let parts: string[];
  try {
    parts = pathname.slice('/api/v1/'.length).replace(/\/$/, '').split('/').map(decodeURIComponent);
  } catch {
    return null; // a malformed escape: Next's own answer
  }
  const found = match(parts);
  const handler = found ? found.route.handlers[method] : fallback[method];
  if (!handler) return null;
  return { handler, params: found?.params ?? { path: parts.join('/') } };
}
