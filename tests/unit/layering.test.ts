// Imports flow one way: app → server → workflows, db. This fails when a lower layer reaches up, or
// when browser components import server code other than types.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = process.cwd();

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(rel);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [rel] : [];
  });
}

function imports(file: string): { specifier: string; typeOnly: boolean }[] {
  const source = readFileSync(path.join(root, file), 'utf8');
  return [...source.matchAll(/^\s*import\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => ({
    specifier: m[2] as string,
    typeOnly: Boolean(m[1]),
  }));
}

const violations = (dir: string, forbidden: RegExp, allowTypes = false) =>
  sourceFiles(dir).flatMap((file) =>
    imports(file)
      .filter((i) => forbidden.test(i.specifier) && !(allowTypes && i.typeOnly))
      .map((i) => `${file} imports ${i.specifier}`),
  );

describe('layering', () => {
  it('workflows and db never import server or app code', () => {
    expect(violations('workflows', /^@\/(server|app|components)\//)).toEqual([]);
    expect(violations('db', /^@\/(server|app|components|workflows)\//)).toEqual([]);
  });

  it('components reach the server only through types', () => {
    expect(
      violations('components', /^@\/(server|db|workflows\/engines)\//, true).filter(
        (v) => !v.includes('server/services/roles'),
      ),
    ).toEqual([]);
  });

  it('the checker sees real imports', () => {
    expect(imports('server/trpc/root.ts').map((i) => i.specifier)).toContain('./routers/apps');
  });
});
