// The /api/v1 route table used by the web server's short way in: it must know every route file
// (a route missing from it would still work through Next, only slower) and match paths as Next does.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as chatMessageStop from '@/app/api/v1/chat-messages/[taskId]/stop/route';
import * as workflowRun from '@/app/api/v1/workflows/run/[id]/route';
import * as workflowRuns from '@/app/api/v1/workflows/run/route';
import { apiV1Handler } from './api-v1-routes';

function routeFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return routeFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`);
    return entry.name === 'route.ts' ? [prefix.replace(/\/$/, '')] : [];
  });
}

describe('apiV1Handler', () => {
  it('routes every route file of app/api/v1 to its own handlers', () => {
    const files = routeFiles(path.join(process.cwd(), 'app', 'api', 'v1')).filter((p) => p !== '[...path]');
    expect(files.length).toBeGreaterThan(10);
    for (const pattern of files) {
      const concrete = pattern.replace(/\[[^\]]+\]/g, 'x1');
      const found = apiV1Handler('OPTIONS', `/api/v1/${concrete}`);
      expect(found, pattern).not.toBeNull();
      // The catch-all answers paths nobody routes, with `path` as its parameter: not these.
      expect(found?.params.path, pattern).toBeUndefined();
    }
  });

  it('prefers static segments and decodes parameters', () => {
    expect(apiV1Handler('POST', '/api/v1/workflows/run')?.handler).toBe(workflowRuns.POST);
    const run = apiV1Handler('GET', '/api/v1/workflows/run/abc%20def');
    expect(run?.handler).toBe(workflowRun.GET);
    expect(run?.params).toEqual({ id: 'abc def' });
    const stop = apiV1Handler('POST', '/api/v1/chat-messages/task-9/stop/');
    expect(stop?.handler).toBe(chatMessageStop.POST);
    expect(stop?.params).toEqual({ taskId: 'task-9' });
  });

  it('leaves a method the route lacks, and paths outside /api/v1, to Next', () => {
    expect(apiV1Handler('DELETE', '/api/v1/workflows/run')).toBeNull();
    expect(apiV1Handler('GET', '/api/trpc/apps.list')).toBeNull();
    expect(apiV1Handler('GET', '/api/v1/%E0%A4%A')).toBeNull();
  });

  it('answers unknown paths with the catch-all 404 in Dify’s shape', async () => {
    const found = apiV1Handler('GET', '/api/v1/no/such/thing');
    expect(found).not.toBeNull();
    const res = await found?.handler(new Request('http://x/api/v1/no/such/thing'), {
      params: Promise.resolve(found.params),
    });
    expect(res?.status).toBe(404);
    expect(await res?.json()).toMatchObject({ code: 'not_found', status: 404 });
  });
});
