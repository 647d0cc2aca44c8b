// The fetch the model SDK is given. Node's built-in fetch (and Next's wrapper around it) cost more
// CPU per call than the model call's own HTTP exchange; this one sends the request with undici's
// lower-level `request` over a keep-alive pool and hands the SDK a standard Response. Requests it
// does not know how to send (bodies other than text or bytes) go to the built-in fetch.
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';

/** Keep-alive connections to model providers, shared by every model call of the process. */
export const modelAgent = new Agent({ keepAliveTimeout: 30_000 });

function urlOf(input: string | URL | Request): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

export function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

export const modelFetch: typeof fetch = async (input, init) => {
  const body = init?.body;
  if (input instanceof Request || (body != null && typeof body !== 'string' && !(body instanceof Uint8Array)))
    return fetch(input, init);
  const method = (init?.method ?? 'GET').toUpperCase();
  const headers: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, name) => {
    headers[name] = value;
  });
  const res = await request(urlOf(input), {
    method: method as 'GET',
    headers,
    body: body ?? undefined,
    signal: init?.signal ?? undefined,
    dispatcher: modelAgent,
  });
  const empty = method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
  if (empty) res.body.resume();
  return new Response(empty ? null : (Readable.toWeb(res.body) as ReadableStream<Uint8Array>), {
    status: res.statusCode,
    headers: responseHeaders(res.headers),
  });
};
