// Configuration is validated at boot and names the variable at fault.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '@/server/config';

function problemsOf(env: Record<string, string>) {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => p.variable);
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  it('accepts an empty environment with embedded defaults', () => {
    const cfg = parseConfig({});
    expect(cfg).toMatchObject({ PORT: 3000, WEFT_DATA_DIR: '.data' });
    expect(cfg.DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ OPENAI_BASE_URL: 'ftp://models' }, 'OPENAI_BASE_URL'],
    [{ TEMPORAL_ADDRESS: 'http://localhost:7233' }, 'TEMPORAL_ADDRESS'],
    [{ APP_SECRET: 'too-short' }, 'APP_SECRET'],
    // Temporal workers are other processes: they cannot share an embedded PGlite.
    [{ TEMPORAL_ADDRESS: 'temporal:7233' }, 'TEMPORAL_ADDRESS'],
    [{ TEMPORAL_HEARTBEAT_TIMEOUT_MS: '10' }, 'TEMPORAL_HEARTBEAT_TIMEOUT_MS'],
    [{ TEMPORAL_CONTINUE_AS_NEW_EVENTS: 'many' }, 'TEMPORAL_CONTINUE_AS_NEW_EVENTS'],
    [{ WEFT_WEB_PROCESSES: '0' }, 'WEFT_WEB_PROCESSES'],
    // Several web processes cannot share an embedded PGlite either.
    [{ WEFT_WEB_PROCESSES: '2' }, 'WEFT_WEB_PROCESSES'],
  ])('refuses %o naming %s', (env, variable) => {
    expect(problemsOf(env)).toEqual([variable]);
  });

  it('names every bad variable at once', () => {
    expect(problemsOf({ PORT: '0', DATABASE_URL: 'x' }).sort()).toEqual(['DATABASE_URL', 'PORT']);
    expect(() => parseConfig({ PORT: 'x' })).toThrow(/PORT: must be a whole number/);
  });

  it('accepts real values', () => {
    const cfg = parseConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/weft',
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
      TEMPORAL_ADDRESS: 'temporal:7233',
      PORT: '8080',
      WEFT_WEB_PROCESSES: '2',
    });
    expect(cfg.PORT).toBe(8080);
    expect(cfg.WEFT_WEB_PROCESSES).toBe(2);
    expect(cfg.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(cfg).toMatchObject({
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'weft-runs',
      TEMPORAL_HEARTBEAT_TIMEOUT_MS: 30_000,
      TEMPORAL_CONTINUE_AS_NEW_EVENTS: 10_000,
    });
  });

  it('generates APP_SECRET once under the data directory and reuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'weft-cfg-'));
    const first = loadConfig({ WEFT_DATA_DIR: dir });
    const second = loadConfig({ WEFT_DATA_DIR: dir });
    expect(first.APP_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(second.APP_SECRET).toBe(first.APP_SECRET);
    const file = path.join(dir, 'app-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.APP_SECRET);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const explicit = 'x'.repeat(40);
    expect(loadConfig({ WEFT_DATA_DIR: dir, APP_SECRET: explicit }).APP_SECRET).toBe(explicit);
  });
});
