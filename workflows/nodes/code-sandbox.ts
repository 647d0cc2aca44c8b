// Runs untrusted JavaScript from the code node in a QuickJS interpreter compiled to WebAssembly. The
// code sees only a JSON copy of its inputs and a console that reports to the step's log: no modules,
// no I/O, no timers, no host objects. Values cross the boundary only as JSON text.
//
// Each run gets its own WebAssembly instance (the compiled module is cached) whose linear memory is
// capped at the memory limit. QuickJS's own `setMemoryLimit` is set too, but it cannot be relied on
// in this build: under Emscripten it counts 8 bytes per allocation instead of the allocation's size,
// so big buffers and strings slip past it and a shared instance would grow to 2 GB and never shrink.
// A fresh instance per run also contains the damage when deep native recursion overflows the host's
// stack inside WebAssembly, which leaves that instance unusable.
import { readFile } from 'node:fs/promises';
import variant from '@jitl/quickjs-wasmfile-release-sync';
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';
import { type Json, StepError } from '@/workflows/interpreter/types';

export interface SandboxLimits {
  /** Wall-clock budget for the code, including awaited promises and serialising the result. */
  timeoutMs: number;
  /** Cap on the interpreter's heap. */
  memoryBytes: number;
}

/** The file name QuickJS reports in stack traces of the user's code. */
const CODE_FILE = 'code.js';
/** The user's code is wrapped in an async function so `return` and `await` work; this is line 1. */
const WRAPPER_PREFIX = '(async function main(inputs) {\n';
const WRAPPER_SUFFIX = '\n})';
/** Lines the wrapper adds before the user's first line. */
const WRAPPER_LINES = 1;
/**
 * QuickJS's stack limit. It measures only Emscripten's shadow stack; the host's native stack, which
 * WebAssembly frames also use, fills up several times faster, so a larger value lets plain recursion
 * crash the host side instead of raising a catchable "stack overflow". 256 KB allows ~1,500 frames.
 */
const MAX_STACK_BYTES = 256 * 1024;
/** What the interpreter occupies before user code runs: static data, the 5 MB shadow stack, builtins. */
const BASE_MEMORY_BYTES = 6 * 1024 * 1024;
const WASM_PAGE_BYTES = 64 * 1024;
/** The WebAssembly module declares this minimum memory (16 MB); an instance cannot start smaller. */
const MIN_WASM_PAGES = 256;
/** Results are stored in the run journal; larger outputs belong in a file or a database. */
export const MAX_OUTPUT_CHARS = 5 * 1024 * 1024;
/** A runaway loop of console.log calls must not flood the run's log. */
export const MAX_LOG_LINES = 1000;
/** Longest single console line and error text, in characters (clipped inside the sandbox). */
const MAX_TEXT_CHARS = 10_000;

/**
 * Evaluated before the user's code, so the builtins it captures are the originals. Returns
 * `[run, describe]`: `run(main, inputsJson)` resolves to a report string ('R' + result JSON, 'O' +
 * why the result is not JSON, or 'E' + describe(error)); `describe(error)` gives `[name, message,
 * stack]` as JSON, or 'oom' when even that cannot be allocated.
 */
const SETUP_SOURCE = `(hostLog) => {
  'use strict';
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const toText = String;
  const ErrorType = Error;
  const clip = (text) => (text.length > ${MAX_TEXT_CHARS} ? text.slice(0, ${MAX_TEXT_CHARS}) + '…' : text);
  const show = (value) => {
    if (typeof value === 'string') return value;
    if (value instanceof ErrorType) return toText(value);
    try {
      const json = stringify(value);
      if (typeof json === 'string') return json;
    } catch {}
    try {
      return toText(value);
    } catch {
      return '[unprintable value]';
    }
  };
  const printer = (prefix) => (...args) => {
    let line = prefix;
    for (let i = 0; i < args.length; i++) line += (i > 0 ? ' ' : '') + show(args[i]);
    hostLog(clip(line));
  };
  globalThis.console = {
    log: printer(''),
    info: printer(''),
    warn: printer('[warn] '),
    error: printer('[error] '),
  };

  const field = (value, key) => {
    try {
      const text = value[key];
      return typeof text === 'string' ? clip(text) : undefined;
    } catch {
      return undefined;
    }
  };
  const describe = (error) => {
    try {
      const isObject = error !== null && (typeof error === 'object' || typeof error === 'function');
      const name = isObject ? field(error, 'name') : undefined;
      const message = isObject ? field(error, 'message') : undefined;
      const stack = (isObject ? field(error, 'stack') : undefined) ?? '';
      if (name === undefined && message === undefined) {
        return stringify(['Uncaught', clip(show(error)), stack]);
      }
      return stringify([name ?? 'Error', message ?? '', stack]);
    } catch {
      // Reading strings cannot fail here except by running out of memory (interrupts are uncatchable).
      return 'oom';
    }
  };
  const serialise = (value) => {
    const type = typeof value;
    if (value === undefined) return 'Omain returned undefined: end the code with return and a JSON value';
    if (type === 'function' || type === 'symbol' || type === 'bigint') {
      return 'Omain returned a ' + type + ', which is not a JSON value';
    }
    let json;
    try {
      json = stringify(value);
    } catch (error) {
      return 'Othe returned value cannot be converted to JSON: ' + (field(error, 'message') ?? show(error));
    }
    return typeof json === 'string' ? 'R' + json : 'Othe returned value cannot be converted to JSON';
  };
  const run = async (main, inputsJson) => {
    let value;
    try {
      if (typeof main !== 'function') throw new SyntaxError('the code must be the body of main(inputs)');
      value = await main(parse(inputsJson));
    } catch (error) {
      return 'E' + describe(error);
    }
    return serialise(value);
  };
  return [run, describe];
}`;

let compiledWasm: Promise<WebAssembly.Module> | undefined;

const WASM_SPECIFIER = '@jitl/quickjs-wasmfile-release-sync/wasm';

/**
 * Node's own resolver, reached at run time: Next.js's bundler rewrites `createRequire(...).resolve`
 * calls it can see (into a stub that throws), and this binary must come from node_modules as is.
 */
function resolveFromNodeModules(specifier: string): string {
  const { createRequire } = process.getBuiltinModule('node:module');
  return createRequire(import.meta.url).resolve(specifier);
}

/** Reads and compiles the QuickJS WebAssembly binary once per process, on first use. */
function loadWasm(): Promise<WebAssembly.Module> {
  compiledWasm ??= (async () => {
    const bytes = await readFile(resolveFromNodeModules(WASM_SPECIFIER));
    return WebAssembly.compile(bytes);
  })().catch((err: unknown) => {
    // Let the next run try again instead of failing every run for the life of the process.
    compiledWasm = undefined;
    throw err;
  });
  return compiledWasm;
}

/** A fresh interpreter instance whose linear memory cannot grow past the memory limit. */
async function newInstance(memoryBytes: number): Promise<QuickJSWASMModule> {
  const wasmModule = await loadWasm();
  const maximum = Math.max(MIN_WASM_PAGES, Math.ceil((BASE_MEMORY_BYTES + memoryBytes) / WASM_PAGE_BYTES));
  const wasmMemory = new WebAssembly.Memory({ initial: MIN_WASM_PAGES, maximum });
  return newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmModule, wasmMemory }));
}

function timeoutError(limits: SandboxLimits): StepError {
  return new StepError({
    message: `Code ran longer than ${limits.timeoutMs} ms`,
    code: 'code_timeout',
    retryable: false,
  });
}

function memoryError(limits: SandboxLimits): StepError {
  const mb = Math.round((limits.memoryBytes / (1024 * 1024)) * 10) / 10;
  return new StepError({ message: `Code used more than ${mb} MB`, code: 'code_memory', retryable: false });
}

function codeError(message: string): StepError {
  return new StepError({ message, code: 'code_error', retryable: false });
}

function outputError(message: string): StepError {
  return new StepError({ message: `Invalid result: ${message}`, code: 'code_output', retryable: false });
}

/** "(line 3:7)" in the user's numbering, taken from the innermost frame in the user's code. */
function position(stack: string, userLines: number): string {
  const match = new RegExp(`${CODE_FILE.replace('.', '\\.')}:(\\d+):(\\d+)`).exec(stack);
  if (!match) return '';
  const line = Number(match[1]) - WRAPPER_LINES;
  if (line > userLines) return ' (at the end of the code)';
  return line >= 1 ? ` (line ${line}:${match[2]})` : '';
}

/** Turns describe()'s output into the StepError to throw. */
function errorFromDescription(description: string, userLines: number, limits: SandboxLimits): StepError {
  if (description === 'oom') return memoryError(limits);
  let parsed: unknown;
  try {
    parsed = JSON.parse(description);
  } catch {
    return codeError('The code failed with an error that could not be read');
  }
  const [name, message, stack] = Array.isArray(parsed) ? parsed.map(String) : [];
  if (name === 'InternalError' && message === 'out of memory') return memoryError(limits);
  if (name === 'InternalError' && message === 'interrupted') return timeoutError(limits);
  return codeError(`${name ?? 'Error'}: ${message ?? ''}${position(stack ?? '', userLines)}`);
}

/** Interprets the report string produced by the sandbox's run() (see SETUP_SOURCE). */
function settle(report: string, userLines: number, limits: SandboxLimits): Json {
  const body = report.slice(1);
  switch (report[0]) {
    case 'R': {
      if (body.length > MAX_OUTPUT_CHARS) {
        throw outputError(`the result is larger than ${MAX_OUTPUT_CHARS / (1024 * 1024)} MB as JSON`);
      }
      try {
        return JSON.parse(body);
      } catch {
        throw outputError('the result is not valid JSON');
      }
    }
    case 'O':
      throw outputError(body);
    case 'E':
      throw errorFromDescription(body, userLines, limits);
    default:
      // The user's code can tamper with the builtins run() relies on; then this is all we know.
      throw outputError('the sandbox returned an unexpected value');
  }
}

/** Host-side failures while the interpreter ran: the native stack overflowing is the expected one. */
function hostFailure(err: unknown): StepError {
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return codeError('InternalError: stack overflow (the code nests or recurses too deeply)');
  }
  return codeError(`The code sandbox failed: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * Runs `source` as the body of `async function main(inputs)` and resolves with its JSON result.
 * Rejects with a non-retryable StepError: code_timeout, code_memory, code_error or code_output.
 */
export async function runInSandbox(
  source: string,
  inputs: Json,
  limits: SandboxLimits,
  log: (line: string) => void,
): Promise<Json> {
  const quickjs = await newInstance(limits.memoryBytes);
  const runtime = quickjs.newRuntime();
  const owned: QuickJSHandle[] = [];
  const keep = (handle: QuickJSHandle): QuickJSHandle => {
    owned.push(handle);
    return handle;
  };
  let context: QuickJSContext | undefined;
  let timedOut = false;
  let crashed = false;
  try {
    runtime.setMemoryLimit(limits.memoryBytes);
    runtime.setMaxStackSize(MAX_STACK_BYTES);
    context = runtime.newContext();
    const vm = context;

    let logLines = 0;
    const hostLog = keep(
      vm.newFunction('log', (line) => {
        logLines++;
        if (logLines > MAX_LOG_LINES + 1 || vm.typeof(line) !== 'string') return;
        // The caller's log must not throw into the interpreter, which would only print it.
        try {
          log(
            logLines > MAX_LOG_LINES
              ? `console output stopped after ${MAX_LOG_LINES} lines`
              : vm.getString(line),
          );
        } catch {}
      }),
    );

    const deadline = Date.now() + limits.timeoutMs;
    runtime.setInterruptHandler(() => {
      if (Date.now() > deadline) timedOut = true;
      return timedOut;
    });

    const userLines = source.split('\n').length;
    // Our scaffolding can only fail by hitting a limit: the user's code has not run yet.
    const setup = vm.evalCode(SETUP_SOURCE, 'sandbox-setup.js', { type: 'global', strict: true });
    if (setup.error) {
      keep(setup.error);
      throw timedOut ? timeoutError(limits) : memoryError(limits);
    }
    const installed = vm.callFunction(keep(setup.value), vm.undefined, hostLog);
    if (installed.error) {
      keep(installed.error);
      throw timedOut ? timeoutError(limits) : memoryError(limits);
    }
    const helpers = keep(installed.value);
    const run = keep(vm.getProp(helpers, 0));
    const describe = keep(vm.getProp(helpers, 1));

    /** The StepError for an exception the interpreter raised (a thrown value or a limit). */
    const failure = (errorHandle: QuickJSHandle): StepError => {
      if (timedOut) return timeoutError(limits);
      const described = vm.callFunction(describe, vm.undefined, errorHandle);
      if (described.error) {
        // describe() catches everything but running out of memory and the (uncatchable) interrupt.
        keep(described.error);
        return timedOut ? timeoutError(limits) : memoryError(limits);
      }
      const text = keep(described.value);
      return vm.typeof(text) === 'string'
        ? errorFromDescription(vm.getString(text), userLines, limits)
        : codeError('The code failed with an error that could not be read');
    };

    // Evaluated as a script, never as a module, and no module loader is installed, so neither
    // `import` statements nor `import()` can reach anything.
    const main = vm.evalCode(`${WRAPPER_PREFIX}${source}${WRAPPER_SUFFIX}`, CODE_FILE, { type: 'global' });
    if (main.error) throw failure(keep(main.error));
    const inputsJson = keep(vm.newString(JSON.stringify(inputs)));
    const called = vm.callFunction(run, vm.undefined, keep(main.value), inputsJson);
    if (called.error) throw failure(keep(called.error));
    const promise = keep(called.value);

    // Promise jobs run only when the host asks. All of them run, including any main left behind,
    // and all within the time limit (the interrupt handler stops each batch).
    while (runtime.hasPendingJob() && !timedOut) {
      const jobs = runtime.executePendingJobs();
      if (jobs.error) throw failure(keep(jobs.error));
    }
    if (timedOut) throw timeoutError(limits);

    const state = vm.getPromiseState(promise);
    if (state.type === 'pending') {
      throw codeError('main never finished: it awaits a promise that nothing resolves');
    }
    if (state.type === 'rejected') throw failure(keep(state.error));
    const report = keep(state.value);
    if (vm.typeof(report) !== 'string') throw outputError('the sandbox returned an unexpected value');
    return settle(vm.getString(report), userLines, limits);
  } catch (err) {
    if (err instanceof StepError) throw err;
    crashed = true;
    if (timedOut) throw timeoutError(limits);
    throw hostFailure(err);
  } finally {
    // After a host-side crash the instance's state is inconsistent and freeing it can abort; it is
    // garbage either way, since every run has its own instance.
    if (!crashed) {
      try {
        for (const handle of owned.reverse()) if (handle.alive) handle.dispose();
        context?.dispose();
        runtime.dispose();
      } catch {
        // Freeing asserts that nothing leaked; the instance is dropped anyway, so the result stands.
      }
    }
  }
}
