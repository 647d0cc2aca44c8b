// Guards the interpreter's determinism: its source may reach the outside world only through the
// Durable port, so clocks, randomness, timers, I/O and non-DSL imports are rejected by file and line.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FORBIDDEN: { pattern: RegExp; what: string }[] = [
  { pattern: /\bDate\b/, what: 'Date (wall clock)' },
  { pattern: /\bMath\s*\.\s*random\b/, what: 'Math.random' },
  { pattern: /\bset(Timeout|Interval|Immediate)\b/, what: 'timers' },
  { pattern: /\bperformance\b/, what: 'performance (clock)' },
  { pattern: /\bfetch\b/, what: 'fetch' },
  { pattern: /\bprocess\s*\./, what: 'process' },
  { pattern: /\bcrypto\b/, what: 'crypto' },
  { pattern: /\brequire\s*\(/, what: 'require(' },
];

/** Import specifiers the interpreter may use: its own files, the DSL, and zod. */
function allowedImport(specifier: string): boolean {
  return (
    specifier.startsWith('./') ||
    specifier.startsWith('../') ||
    /^@\/workflows\/dsl\/[\w./-]+$/.test(specifier) ||
    specifier === 'zod'
  );
}

/**
 * Blanks out comments (keeping line breaks, so line numbers stay right): comments may explain
 * why something is banned without tripping the check.
 */
function stripComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

const IMPORT =
  /(?:\bimport\b[^'"`;]*?\bfrom\s*|\bimport\s*\(?\s*|\bexport\b[^'"`;]*?\bfrom\s*)['"]([^'"]+)['"]/g;

/** Every violation in one file's source as `file:line: message`. */
function findViolations(file: string, source: string): string[] {
  const code = stripComments(source);
  const found: { line: number; message: string }[] = [];
  code.split('\n').forEach((line, i) => {
    for (const { pattern, what } of FORBIDDEN) {
      if (pattern.test(line)) found.push({ line: i + 1, message: `uses ${what}` });
    }
  });
  // Imports may span lines, so they are matched on the whole source and placed by offset.
  for (const match of code.matchAll(IMPORT)) {
    const specifier = match[1] ?? '';
    if (allowedImport(specifier)) continue;
    const line = code.slice(0, (match.index ?? 0) + match[0].length).split('\n').length;
    found.push({ line, message: `imports "${specifier}"` });
  }
  return found
    .sort((a, b) => a.line - b.line || a.message.localeCompare(b.message))
    .map(({ line, message }) => `${file}:${line}: ${message}`);
}

const dir = fileURLToPath(new URL('.', import.meta.url));

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('interpreter determinism guard', () => {
  it('finds no clocks, randomness, timers, I/O or foreign imports in the interpreter', () => {
    const files = sourceFiles(dir);
    expect(files.length).toBeGreaterThan(5);
    const violations = files.flatMap((path) =>
      findViolations(relative(dir, path), readFileSync(path, 'utf8')),
    );
    expect(violations).toEqual([]);
  });

  it('reports violations with their file and line', () => {
    const sample = [
      "import { z } from 'zod';",
      "import { readFile } from 'node:fs';",
      "import { db } from '@/db/client';",
      "import type { NodeSpec } from '@/workflows/nodes/node-spec';",
      "export { x } from '@/server/thing';",
      'const now = Date.now();',
      '// Date in a comment is fine',
      'const roll = Math.random();',
      'setTimeout(() => {}, 1);',
      "const env = process.env.HOME; const res = fetch('x');",
      "const c = require('crypto');",
      'const t = performance.now();',
      'import {',
      '  a,',
      "} from '@/workflows/engines/embedded';",
    ].join('\n');
    expect(findViolations('sample.ts', sample)).toEqual([
      'sample.ts:2: imports "node:fs"',
      'sample.ts:3: imports "@/db/client"',
      'sample.ts:4: imports "@/workflows/nodes/node-spec"',
      'sample.ts:5: imports "@/server/thing"',
      'sample.ts:6: uses Date (wall clock)',
      'sample.ts:8: uses Math.random',
      'sample.ts:9: uses timers',
      'sample.ts:10: uses fetch',
      'sample.ts:10: uses process',
      'sample.ts:11: uses crypto',
      'sample.ts:11: uses require(',
      'sample.ts:12: uses performance (clock)',
      'sample.ts:15: imports "@/workflows/engines/embedded"',
    ]);
    expect(findViolations('ok.ts', "import { resolveValue } from '@/workflows/dsl/references';")).toEqual([]);
  });
});
