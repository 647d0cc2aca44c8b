// Model providers of a workspace: OpenAI-compatible endpoints with an encrypted API key, a default
// model and a price table. The engine resolves a node's provider here; without any, the
// OPENAI_API_KEY / OPENAI_BASE_URL fallback from the environment applies.
import { and, asc, eq, sql } from 'drizzle-orm';
import OpenAI from 'openai';
import type { Db } from '@/db/client';
import { modelProviders } from '@/db/schema';
import type { WeftConfig } from '@/server/config';
import { decryptSecret, encryptSecret } from '@/server/crypto/secret-box';
import { conflict, notFound } from '@/server/errors';
import { StepError } from '@/workflows/interpreter/types';
import type { ModelTarget } from '@/workflows/nodes/node-spec';
import { PUBLISHED_API_CACHE_TTL_MS, TtlCache } from './app-changes';
import { recordAudit } from './audit';

export type Prices = Record<string, { input: number; output: number }>;

export interface ProviderInput {
  name: string;
  baseUrl?: string | null;
  apiKey?: string;
  defaultModel?: string | null;
  prices?: Prices;
  isDefault?: boolean;
}

const publicColumns = {
  id: modelProviders.id,
  name: modelProviders.name,
  baseUrl: modelProviders.baseUrl,
  defaultModel: modelProviders.defaultModel,
  prices: modelProviders.prices,
  isDefault: modelProviders.isDefault,
  updatedAt: modelProviders.updatedAt,
};

/** Providers without their keys. */
export function listProviders(db: Db, workspaceId: string) {
  return db
    .select(publicColumns)
    .from(modelProviders)
    .where(eq(modelProviders.workspaceId, workspaceId))
    .orderBy(asc(modelProviders.name));
}

export async function saveProvider(
  db: Db,
  appSecret: string,
  actorId: string,
  workspaceId: string,
  input: ProviderInput & { id?: string },
) {
  forgetProviders(workspaceId);
  const saved = await db.transaction(async (tx) => {
    if (input.isDefault)
      await tx
        .update(modelProviders)
        .set({ isDefault: false })
        .where(and(eq(modelProviders.workspaceId, workspaceId), eq(modelProviders.isDefault, true)));
    // An update changes only the fields it names.
    const values = {
      name: input.name.trim(),
      ...(input.baseUrl !== undefined && { baseUrl: input.baseUrl?.trim() || null }),
      ...(input.defaultModel !== undefined && { defaultModel: input.defaultModel?.trim() || null }),
      ...(input.prices !== undefined && { prices: input.prices }),
      ...(input.isDefault !== undefined && { isDefault: input.isDefault }),
      updatedAt: sql`now()`,
      ...(input.apiKey ? { apiKeyEncrypted: encryptSecret(appSecret, 'model-providers', input.apiKey) } : {}),
    };
    const [row] = input.id
      ? await tx
          .update(modelProviders)
          .set(values)
          .where(and(eq(modelProviders.id, input.id), eq(modelProviders.workspaceId, workspaceId)))
          .returning(publicColumns)
      : await tx
          .insert(modelProviders)
          .values({
            ...values,
            workspaceId,
            createdBy: actorId,
            apiKeyEncrypted: values.apiKeyEncrypted ?? '',
          })
          .onConflictDoNothing()
          .returning(publicColumns);
    if (!row)
      throw input.id ? notFound('Provider') : conflict(`A provider named "${values.name}" already exists`);
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: input.id ? 'provider.update' : 'provider.create',
      targetType: 'model_provider',
      targetId: row.id,
      details: { name: row.name },
    });
    return row;
  });
  forgetProviders(workspaceId);
  return saved;
}

export async function deleteProvider(db: Db, actorId: string, workspaceId: string, providerId: string) {
  forgetProviders(workspaceId);
  const deleted = await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(modelProviders)
      .where(and(eq(modelProviders.id, providerId), eq(modelProviders.workspaceId, workspaceId)))
      .returning({ id: modelProviders.id, name: modelProviders.name });
    if (!row) throw notFound('Provider');
    await recordAudit(tx, {
      workspaceId,
      actorUserId: actorId,
      action: 'provider.delete',
      targetType: 'model_provider',
      targetId: row.id,
      details: { name: row.name },
    });
    return row;
  });
  forgetProviders(workspaceId);
  return deleted;
}

/** Where a node's model calls go: the named provider, the workspace default, or the environment's. */
type ProviderConfig = Pick<WeftConfig, 'APP_SECRET'> &
  Partial<Pick<WeftConfig, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL'>>;

type ProviderRow = typeof modelProviders.$inferSelect;

/**
 * The provider rows model calls resolve to, by workspace and provider id (or the default): every
 * LLM node looks one up. Kept a few seconds; saving or deleting a provider drops the workspace's
 * at once in this process (other processes and workers follow within the TTL).
 */
const providerRows = new TtlCache<string, { workspaceId: string; row: ProviderRow | null }>(
  PUBLISHED_API_CACHE_TTL_MS,
);
const forgetProviders = (workspaceId: string) =>
  providerRows.invalidate((_key, entry) => entry.workspaceId === workspaceId);

async function providerRow(db: Db, workspaceId: string, providerId?: string | null) {
  const key = `${workspaceId}:${providerId ?? ''}`;
  const entry = await providerRows.getOrLoad(key, async () => {
    const [row] = await db
      .select()
      .from(modelProviders)
      .where(
        and(
          eq(modelProviders.workspaceId, workspaceId),
          providerId ? eq(modelProviders.id, providerId) : eq(modelProviders.isDefault, true),
        ),
      );
    return { workspaceId, row: row ?? null };
  });
  return entry.row;
}

export async function resolveModelTarget(
  db: Db,
  cfg: ProviderConfig,
  workspaceId: string,
  providerId?: string | null,
): Promise<ModelTarget> {
  const row = await providerRow(db, workspaceId, providerId);
  if (row) {
    return {
      providerName: row.name,
      baseURL: row.baseUrl ?? undefined,
      apiKey: decryptSecret(cfg.APP_SECRET, 'model-providers', row.apiKeyEncrypted),
      defaultModel: row.defaultModel ?? undefined,
      prices: row.prices as Prices,
    };
  }
  if (providerId)
    throw new StepError({
      message: `Model provider ${providerId} does not exist`,
      code: 'llm_no_provider',
      retryable: false,
    });
  if (!cfg.OPENAI_API_KEY)
    throw new StepError({
      message: 'No model provider: add one in the workspace settings or set OPENAI_API_KEY',
      code: 'llm_no_provider',
      retryable: false,
    });
  return {
    providerName: cfg.OPENAI_BASE_URL ? `OpenAI-compatible (${new URL(cfg.OPENAI_BASE_URL).host})` : 'OpenAI',
    baseURL: cfg.OPENAI_BASE_URL,
    apiKey: cfg.OPENAI_API_KEY,
    defaultModel: undefined,
    prices: {},
  };
}

/** "Test connection": lists the endpoint's models with the stored key. */
export async function testProvider(
  db: Db,
  cfg: ProviderConfig,
  workspaceId: string,
  providerId: string,
): Promise<{ ok: true; models: string[] } | { ok: false; message: string }> {
  const target = await resolveModelTarget(db, cfg, workspaceId, providerId).catch((error: unknown) => {
    throw error instanceof StepError ? notFound('Provider') : error;
  });
  try {
    const client = new OpenAI({
      apiKey: target.apiKey,
      baseURL: target.baseURL,
      maxRetries: 0,
      timeout: 10_000,
    });
    const models: string[] = [];
    for await (const model of client.models.list()) {
      models.push(model.id);
      if (models.length >= 200) break;
    }
    return { ok: true, models };
  } catch (error) {
    const status = (error as { status?: number }).status;
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `${target.providerName}: ${status ? `HTTP ${status} — ` : ''}${detail}` };
  }
}
