// The code node: runs a short piece of the user's JavaScript over values from earlier steps, for
// the transformations templates and variables cannot express. The code runs in a WebAssembly QuickJS
// sandbox (see code-sandbox.ts) with CPU and memory limits and no access to the host.
import { z } from 'zod';
import { toJson } from '@/workflows/dsl/references';
import { runInSandbox } from '@/workflows/nodes/code-sandbox';
import { defineNode } from '@/workflows/nodes/node-spec';

export const codeConfigSchema = z.object({
  code: z
    .string()
    .min(1, 'is required')
    // References are resolved before a node runs: inside code they would let upstream data (an LLM's
    // answer, say) rewrite the program. Values come in through `inputs` instead.
    .refine((code) => !/\{\{[^}]*\}\}/.test(code), 'must not contain {{references}}: pass values in inputs')
    .describe('JavaScript: the body of main(inputs); return a JSON value'),
  inputs: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Named values passed to main as inputs, usually {{node.field}} references'),
  timeoutMs: z
    .number()
    .int()
    .min(10)
    // The sandbox holds the worker's thread while it runs: keep it well inside a lease (15 s).
    .max(10_000)
    .default(2000)
    .describe('Stop the code after this many milliseconds'),
  memoryMb: z.number().int().min(8).max(512).default(64).describe('Memory the code may use, in MB'),
});

export type CodeConfig = z.infer<typeof codeConfigSchema>;

export const codeNode = defineNode({
  type: 'code',
  title: 'Code',
  description: 'Runs JavaScript in a sandbox over earlier outputs and outputs the value it returns.',
  category: 'transform',
  icon: '🧩',
  configSchema: codeConfigSchema,
  inputHandles: () => [null],
  outputHandles: () => [null],
  execution: 'activity',
  // Not pure: the code can read the clock and random numbers, so rerunning it may give another result.
  run: async (config, ctx) => {
    const value = await runInSandbox(
      config.code,
      toJson(config.inputs),
      { timeoutMs: config.timeoutMs, memoryBytes: config.memoryMb * 1024 * 1024 },
      (line) => ctx.log(line),
    );
    // Later nodes reference output fields, so a returned object is the output and anything else
    // (arrays included) is wrapped.
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : { result: value };
  },
});
