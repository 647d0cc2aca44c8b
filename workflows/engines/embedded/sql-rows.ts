// Raw `execute` results differ by driver (PGlite returns { rows }, postgres.js an array of rows).
export function rowsOf<T>(result: unknown): T[] {
  return (result && typeof result === 'object' && 'rows' in result ? result.rows : result) as T[];
}
