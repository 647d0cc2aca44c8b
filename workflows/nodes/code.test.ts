// The code node and its QuickJS sandbox: results and logs cross as JSON, CPU and memory limits stop
// runaway code, nothing of the host is reachable, and errors point at the user's own line.
import { describe, expect, it } from 'vitest';
import { type Json, StepError } from '@/workflows/interpreter/types';
import { codeConfigSchema, codeNode } from '@/workflows/nodes/code';
import { MAX_LOG_LINES, runInSandbox } from '@/workflows/nodes/code-sandbox';
import type { NodeRunContext } from '@/workflows/nodes/node-spec';

const MB = 1024 * 1024;

async function run(
  code: string,
  inputs: Json = {},
  limits: { timeoutMs?: number; memoryMb?: number } = {},
): Promise<{ result: Json; logs: string[] }> {
  const logs: string[] = [];
  const result = await runInSandbox(
    code,
    inputs,
    { timeoutMs: limits.timeoutMs ?? 2000, memoryBytes: (limits.memoryMb ?? 64) * MB },
    (line) => logs.push(line),
  );
  return { result, logs };
}

/** The StepError a run rejects with (fails the test if it resolves or throws something else). */
async function failure(code: string, limits: { timeoutMs?: number; memoryMb?: number } = {}) {
  const err = await run(code, {}, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StepError);
  const stepError = err as StepError;
  expect(stepError.retryable).toBe(false);
  return stepError;
}

describe('runInSandbox', () => {
  it('returns an object computed from the inputs and captures console output in order', async () => {
    const { result, logs } = await run(
      [
        "console.log('start', inputs.items.length);",
        'const total = inputs.items.reduce((sum, item) => sum + item.price * item.qty, 0);',
        'console.info({ total });',
        "console.warn('careful');",
        "console.error(new Error('bad'));",
        'return { total, names: inputs.items.map((item) => item.name), ok: total > 10 };',
      ].join('\n'),
      {
        items: [
          { name: 'a', price: 2.5, qty: 4 },
          { name: 'b', price: 1, qty: 3 },
        ],
      },
    );
    expect(result).toEqual({ total: 13, names: ['a', 'b'], ok: true });
    expect(typeof (result as { total: unknown }).total).toBe('number');
    expect(logs).toEqual(['start 2', '{"total":13}', '[warn] careful', '[error] Error: bad']);
  });

  it('returns non-object values as they are, and supports await', async () => {
    expect((await run('return inputs.n * 2', { n: 21 })).result).toBe(42);
    expect((await run("return 'text'")).result).toBe('text');
    expect((await run('return [1, 2, null]')).result).toEqual([1, 2, null]);
    expect((await run('return null')).result).toBeNull();
    expect((await run('const v = await Promise.resolve(5);\nreturn { v }')).result).toEqual({ v: 5 });
  });

  it('stops an endless loop at the CPU limit', async () => {
    const started = Date.now();
    const err = await failure('while (true) {}', { timeoutMs: 200 });
    expect(err.code).toBe('code_timeout');
    expect(err.message).toBe('Code ran longer than 200 ms');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops loops that try to catch the interrupt, and endless promise chains', async () => {
    const caught = await failure('for (;;) { try { for (;;) {} } catch (e) {} }', { timeoutMs: 100 });
    expect(caught.code).toBe('code_timeout');
    const awaited = await failure('for (;;) await null;', { timeoutMs: 100 });
    expect(awaited.code).toBe('code_timeout');
  });

  it.each([
    ['arrays', 'const a = [];\nwhile (true) a.push(new Array(1e6).fill(1));'],
    // Buffers and strings are what QuickJS's own allocation counter misses under Emscripten.
    ['typed arrays', 'const a = [];\nwhile (true) a.push(new Uint8Array(1e7));'],
    ['a huge string', "return 'x'.repeat(1e9).length;"],
  ])('stops code that allocates ~1 GB of %s at the memory limit', async (_kind, code) => {
    const err = await failure(code, { memoryMb: 32, timeoutMs: 5000 });
    expect(err.code).toBe('code_memory');
    expect(err.message).toBe('Code used more than 32 MB');
  });

  it('gives the code no process, require, fetch, timers or other host objects', async () => {
    const { result } = await run(
      'return [typeof process, typeof require, typeof fetch, typeof setTimeout, typeof Buffer, ' +
        'typeof module, typeof std, typeof os, typeof WebAssembly, typeof XMLHttpRequest];',
    );
    expect(result).toEqual(Array(10).fill('undefined'));
  });

  it('cannot load modules, with import() or import statements', async () => {
    const { result } = await run(
      "try {\n  const m = await import('fs');\n  return { module: typeof m };\n} catch (e) {\n" +
        '  return { error: String(e) };\n}',
    );
    expect(result).toEqual({ error: "ReferenceError: could not load module 'fs'" });

    const dynamic = await failure(
      "const fs = await import('node:fs');\nreturn fs.readFileSync('/etc/passwd');",
    );
    expect(dynamic.code).toBe('code_error');
    expect(dynamic.message).toContain("could not load module 'node:fs'");

    const statement = await failure("import fs from 'fs';\nreturn 1;");
    expect(statement.code).toBe('code_error');
    expect(statement.message).toMatch(/^SyntaxError: .*\(line 1:\d+\)$/);
  });

  it('gives nothing usable through the Function constructor', async () => {
    const { result } = await run(
      [
        'let value;',
        "try { value = globalThis.constructor.constructor('return process')(); }",
        'catch (e) { return { threw: e.name }; }',
        "return { type: typeof value, env: typeof value === 'object' && value !== null && 'env' in value };",
      ].join('\n'),
    );
    expect(result).not.toMatchObject({ env: true });
    expect(result).toEqual({ threw: 'ReferenceError' });

    const { result: global } = await run("return Object.getOwnPropertyNames(Function('return this')());");
    expect(global).not.toContain('process');
    expect(global).not.toContain('require');
  });

  it("reports a syntax error at the user's line and column", async () => {
    const err = await failure('const a = 1;\nconst b = ;\nreturn a;');
    expect(err.code).toBe('code_error');
    expect(err.message).toContain('SyntaxError');
    expect(err.message).toContain('(line 2:11)');
  });

  it("reports a thrown error with its name, message and the user's line and column", async () => {
    const thrown = await failure("const a = 1;\n  throw new TypeError('boom');");
    expect(thrown.code).toBe('code_error');
    expect(thrown.message).toMatch(/^TypeError: boom \(line 2:\d+\)$/);

    const runtime = await failure('const a = null;\nawait null;\nreturn a.b;');
    expect(runtime.message).toBe("TypeError: cannot read property 'b' of null (line 3:9)");

    const nested = await failure('function inner() {\n  return missing + 1;\n}\nreturn inner();');
    expect(nested.message).toBe("ReferenceError: 'missing' is not defined (line 2:10)");

    const value = await failure("throw 'plain text';");
    expect(value.message).toBe('Uncaught: plain text');
  });

  it('reports deep recursion as a stack overflow and keeps working afterwards', async () => {
    const recursion = await failure('function f() { return f() + 1; }\nreturn f();');
    expect(recursion.code).toBe('code_error');
    expect(recursion.message).toMatch(/^InternalError: stack overflow \(line 1:\d+\)$/);
    // Nesting this deep overflows the host's stack inside WebAssembly, not QuickJS's own check.
    const nesting = await failure(`return ${'['.repeat(100_000)}${']'.repeat(100_000)};`);
    expect(nesting.code).toBe('code_error');
    expect(nesting.message).toContain('stack overflow');
    expect((await run('return 1 + 1')).result).toBe(2);
  });

  it('rejects results that are not JSON values', async () => {
    const fn = await failure('return () => 1;');
    expect(fn.code).toBe('code_output');
    expect(fn.message).toContain('function');

    const cycle = await failure('const a = { name: "a" };\na.self = a;\nreturn a;');
    expect(cycle.code).toBe('code_output');
    expect(cycle.message).toContain('cannot be converted to JSON');

    const nothing = await failure('const a = 1;');
    expect(nothing.code).toBe('code_output');
    expect(nothing.message).toContain('undefined');
  });

  it('reports a main that waits for a promise nothing resolves', async () => {
    const err = await failure('await new Promise(() => {});\nreturn 1;');
    expect(err.code).toBe('code_error');
    expect(err.message).toContain('never finished');
  });

  it('caps console output', async () => {
    const { logs } = await run('for (let i = 0; i < 5000; i++) console.log(i);\nreturn 1;');
    expect(logs).toHaveLength(MAX_LOG_LINES + 1);
    expect(logs[0]).toBe('0');
    expect(logs[MAX_LOG_LINES]).toBe(`console output stopped after ${MAX_LOG_LINES} lines`);
  });

  it('does not let one run affect the next, over 20 sequential runs', async () => {
    for (let i = 0; i < 20; i++) {
      const { result } = await run(
        'globalThis.counter = (globalThis.counter ?? 0) + 1;\n' +
          'const data = new Array(10000).fill(inputs.i);\nreturn { i: inputs.i, counter, sum: data[0] * 2 };',
        { i },
      );
      expect(result).toEqual({ i, counter: 1, sum: i * 2 });
    }
  });
});

describe('codeNode', () => {
  function fakeContext(lines: string[]): NodeRunContext {
    return {
      runId: 'run-1',
      workspaceId: 'ws-1',
      stepKey: 'code-1',
      idempotencyKey: 'run-1:code-1',
      attempt: 1,
      signal: new AbortController().signal,
      log: (message) => lines.push(message),
      emit: () => {},
      reportUsage: () => {},
      services: {
        modelTarget: async () => {
          throw new Error('the code node uses no models');
        },
      },
    };
  }

  it('runs the code with the resolved inputs and outputs the returned object', async () => {
    const config = codeConfigSchema.parse({
      code: "console.log('hello', inputs.name);\nreturn { greeting: 'Hi ' + inputs.name, n: inputs.n + 1 };",
      inputs: { name: 'Ada', n: 1 },
    });
    expect(config).toMatchObject({ timeoutMs: 2000, memoryMb: 64 });
    const lines: string[] = [];
    const output = await codeNode.run?.(config, fakeContext(lines));
    expect(output).toEqual({ greeting: 'Hi Ada', n: 2 });
    expect(lines).toEqual(['hello Ada']);
  });

  it('wraps a returned non-object as { result }', async () => {
    const config = codeConfigSchema.parse({ code: 'return [inputs.a, inputs.b];', inputs: { a: 1, b: 'x' } });
    expect(await codeNode.run?.(config, fakeContext([]))).toEqual({ result: [1, 'x'] });
  });

  it('validates its limits', () => {
    expect(codeConfigSchema.safeParse({ code: '' }).success).toBe(false);
    expect(codeConfigSchema.safeParse({ code: 'return 1', timeoutMs: 5 }).success).toBe(false);
    expect(codeConfigSchema.safeParse({ code: 'return 1', memoryMb: 1024 }).success).toBe(false);
    expect(codeNode.pure).toBeUndefined();
  });

  it('refuses {{references}} inside the code itself, so data cannot rewrite the program', () => {
    const parsed = codeNode.configSchema.safeParse({ code: 'return {{start.query}};' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/pass values in inputs/);
  });
});
