// Weft's database schema. Every tenant-owned table carries workspace_id, and every foreign key has
// an index. Migrations are generated from this file by `npm run db:generate` (drizzle-kit).
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const memberRole = pgEnum('member_role', ['owner', 'editor', 'reviewer', 'viewer']);
export const appKind = pgEnum('app_kind', ['chat', 'workflow']);
export const runStatus = pgEnum('run_status', [
  'queued',
  'running',
  'paused',
  'succeeded',
  'partially_succeeded',
  'failed',
  'cancelled',
]);

export const runEngine = pgEnum('run_engine', ['embedded', 'temporal']);

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: createdAt(),
});

export const workspaces = pgTable('workspaces', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  /** Slack-compatible incoming webhook told about each new review (null: none). */
  reviewWebhookUrl: text('review_webhook_url'),
  createdAt: createdAt(),
});

export const memberships = pgTable(
  'memberships',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: memberRole('role').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('memberships_workspace_user_idx').on(t.workspaceId, t.userId),
    index('memberships_user_idx').on(t.userId),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    role: memberRole('role').notNull(),
    email: text('email'),
    invitedBy: uuid('invited_by')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    acceptedBy: uuid('accepted_by').references(() => users.id, { onDelete: 'set null' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('invitations_workspace_idx').on(t.workspaceId),
    index('invitations_invited_by_idx').on(t.invitedBy),
    index('invitations_accepted_by_idx').on(t.acceptedBy),
  ],
);

export const apps = pgTable(
  'apps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    kind: appKind('kind').notNull(),
    icon: text('icon').notNull(),
    description: text('description').notNull().default(''),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('apps_workspace_idx').on(t.workspaceId, t.updatedAt),
    index('apps_created_by_idx').on(t.createdBy),
  ],
);

/**
 * One mutable draft per app (is_draft, revision counts saves for conflict detection) and any
 * number of immutable published versions (version_number 1, 2, …). A database trigger refuses
 * updates to published rows.
 */
export const appVersions = pgTable(
  'app_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    isDraft: boolean('is_draft').notNull(),
    versionNumber: integer('version_number'),
    revision: integer('revision').notNull().default(1),
    definition: jsonb('definition').notNull(),
    note: text('note').notNull().default(''),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('app_versions_one_draft_idx').on(t.appId).where(sql`${t.isDraft}`),
    uniqueIndex('app_versions_number_idx').on(t.appId, t.versionNumber),
    index('app_versions_workspace_idx').on(t.workspaceId),
    index('app_versions_created_by_idx').on(t.createdBy),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    actorUserId: uuid('actor_user_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    details: jsonb('details').notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_log_workspace_idx').on(t.workspaceId, t.createdAt),
    index('audit_log_actor_idx').on(t.actorUserId),
  ],
);

/**
 * One workflow run. The definition is snapshotted at start (a draft keeps changing). A worker owns
 * a run while `lease_owner` is set and `lease_expires_at` is in the future; an unowned run with
 * `wake_at` in the past is due (new, timer fired, signal arrived). A paused run waiting only for a
 * signal has no `wake_at` and holds no worker memory.
 */
export const runs = pgTable(
  'runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    appVersionId: uuid('app_version_id').references(() => appVersions.id, { onDelete: 'set null' }),
    versionNumber: integer('version_number'),
    definition: jsonb('definition').notNull(),
    inputs: jsonb('inputs').notNull(),
    status: runStatus('status').notNull().default('queued'),
    outputs: jsonb('outputs'),
    error: jsonb('error'),
    /** Totals over the run's steps: { promptTokens, completionTokens, cost }. */
    usage: jsonb('usage'),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    wakeAt: timestamp('wake_at', { withTimezone: true }),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    /** Which engine executes the run: signals and cancellation are routed to it. */
    engine: runEngine('engine').notNull().default('embedded'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    // Also serves the app_id foreign key (leading column).
    index('runs_app_idx').on(t.appId, t.createdAt),
    index('runs_workspace_idx').on(t.workspaceId),
    // Only runs waiting to be picked up: new, woken by a timer or a signal.
    index('runs_due_idx').on(t.wakeAt).where(sql`${t.leaseOwner} is null and ${t.wakeAt} is not null`),
    index('runs_lease_idx').on(t.leaseExpiresAt).where(sql`${t.leaseOwner} is not null`),
    index('runs_app_version_idx').on(t.appVersionId),
    index('runs_created_by_idx').on(t.createdBy),
  ],
);

/**
 * The journal: one row per completed step (node attempt, record, or review request). Like
 * run_events, it is written on every step, so its workspace_id (for scoping reads) carries no
 * foreign key or index of its own: rows are reached through run_id, and go when their run goes.
 */
export const runSteps = pgTable(
  'run_steps',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    stepKey: text('step_key').notNull(),
    workspaceId: uuid('workspace_id').notNull(),
    nodeId: text('node_id').notNull(),
    nodeType: text('node_type').notNull(),
    attempt: integer('attempt').notNull().default(1),
    status: text('status').notNull(),
    input: jsonb('input'),
    output: jsonb('output'),
    error: jsonb('error'),
    logs: jsonb('logs'),
    /** Model calls made by the step: [{ model, promptTokens, completionTokens, cost }]. */
    usage: jsonb('usage'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.stepKey] })],
);

/** Signals sent to a run (review decisions); one per name. */
export const runSignals = pgTable(
  'run_signals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    payload: jsonb('payload'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('run_signals_name_idx').on(t.runId, t.name),
    index('run_signals_workspace_idx').on(t.workspaceId),
    index('run_signals_created_by_idx').on(t.createdBy),
  ],
);

/** Durable timers (sleeps, review deadlines): the fire time is fixed when first reached. */
export const runTimers = pgTable(
  'run_timers',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    timerKey: text('timer_key').notNull(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    fireAt: timestamp('fire_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.timerKey] }),
    index('run_timers_workspace_idx').on(t.workspaceId),
  ],
);

/** Everything a run's observers see, numbered per run without gaps (see run_steps on workspace_id). */
export const runEvents = pgTable(
  'run_events',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    workspaceId: uuid('workspace_id').notNull(),
    type: text('type').notNull(),
    nodeId: text('node_id'),
    data: jsonb('data').notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

/** Workspace secrets, referenced in node configs as {{secrets.NAME}}; values are AES-GCM encrypted. */
export const workspaceSecrets = pgTable(
  'workspace_secrets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    valueEncrypted: text('value_encrypted').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('workspace_secrets_name_idx').on(t.workspaceId, t.name),
    index('workspace_secrets_created_by_idx').on(t.createdBy),
  ],
);

/** OpenAI-compatible model endpoints of a workspace; API keys are AES-GCM encrypted. */
export const modelProviders = pgTable(
  'model_providers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    baseUrl: text('base_url'),
    apiKeyEncrypted: text('api_key_encrypted').notNull(),
    defaultModel: text('default_model'),
    /** USD per 1M tokens by model id: { "gpt-4o-mini": { "input": 0.15, "output": 0.6 } }. */
    prices: jsonb('prices').notNull().default({}),
    isDefault: boolean('is_default').notNull().default(false),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('model_providers_name_idx').on(t.workspaceId, t.name),
    uniqueIndex('model_providers_default_idx').on(t.workspaceId).where(sql`${t.isDefault}`),
    index('model_providers_created_by_idx').on(t.createdBy),
  ],
);

/**
 * Keys for the published API (/api/v1), one app each. Only the SHA-256 hash of a token is stored;
 * `prefix` (e.g. `app-1a2b3c4d`) is what lists show so people can tell keys apart. A revoked key
 * stays listed (revoked_at set) so its last use remains visible.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    /** Refreshed at most once a minute per key, so authenticating stays a single indexed read. */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    index('api_keys_app_idx').on(t.appId),
    index('api_keys_workspace_idx').on(t.workspaceId),
    index('api_keys_created_by_idx').on(t.createdBy),
  ],
);

/**
 * Chat conversations held through the published API, per app and end user (the API's `user`).
 * Deleting one through the API sets deleted_at, so its messages stay for usage and audit.
 */
export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    endUser: text('end_user').notNull(),
    name: text('name').notNull().default(''),
    inputs: jsonb('inputs').notNull().default({}),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    // A user's conversation list, newest first; also serves the app_id foreign key.
    index('conversations_app_user_idx').on(t.appId, t.endUser, t.updatedAt),
    index('conversations_workspace_idx').on(t.workspaceId),
  ],
);

/**
 * One question and its answer in a conversation. Written on every chat request, so (as for
 * run_steps) workspace_id and app_id, kept for scoping reads, carry no foreign key or index of
 * their own: rows are reached through conversation_id and go when their conversation goes.
 */
export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull(),
    appId: uuid('app_id').notNull(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    runId: uuid('run_id').references(() => runs.id, { onDelete: 'set null' }),
    endUser: text('end_user').notNull(),
    query: text('query').notNull(),
    inputs: jsonb('inputs').notNull().default({}),
    answer: text('answer').notNull().default(''),
    status: text('status').notNull().default('running'),
    error: jsonb('error'),
    /** Model usage of the answer: { promptTokens, completionTokens, cost }. */
    usage: jsonb('usage'),
    feedback: text('feedback'),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('messages_conversation_idx').on(t.conversationId, t.createdAt),
    // Deleting a run looks up its messages to clear run_id.
    index('messages_run_idx').on(t.runId),
    check('messages_status_check', sql`${t.status} in ('running', 'succeeded', 'failed', 'stopped')`),
    check('messages_feedback_check', sql`${t.feedback} is null or ${t.feedback} in ('like', 'dislike')`),
  ],
);

/**
 * An app's public web chat: the chat page /chat/<token> and the /embed.js bubble. The token is
 * public by design (it sits in page URLs and embed snippets), so it is stored as is; rotating it
 * retires the old links. `allowed_origins` are the other sites that may call the page's endpoints
 * from a browser and frame the page.
 */
export const webChats = pgTable(
  'web_chats',
  {
    appId: uuid('app_id')
      .primaryKey()
      .references(() => apps.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    token: text('token').notNull().unique(),
    enabled: boolean('enabled').notNull().default(true),
    allowedOrigins: jsonb('allowed_origins').$type<string[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('web_chats_workspace_idx').on(t.workspaceId)],
);

/**
 * One row per authenticated request to the published API (/api/v1), for the Publish tab's usage
 * stats. Rows are buffered in memory and written in batches (server/public-api/usage-recorder.ts),
 * so a row can arrive up to about a second after its request. As for messages, workspace_id (kept
 * for scoping reads) and run_id carry no foreign key: rows go when their app goes, tokens and cost
 * are read from the run while it exists. `route` is the path pattern with ids as `{id}`.
 */
export const apiRequests = pgTable(
  'api_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id').notNull(),
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    apiKeyId: uuid('api_key_id').references(() => apiKeys.id, { onDelete: 'set null' }),
    method: text('method').notNull(),
    route: text('route').notNull(),
    status: integer('status').notNull(),
    streaming: boolean('streaming').notNull().default(false),
    /** Until the JSON response was built; for event streams, until the stream ended or was dropped. */
    latencyMs: doublePrecision('latency_ms').notNull(),
    runId: uuid('run_id'),
    createdAt: createdAt(),
  },
  (t) => [
    // The stats query reads one app's rows in a time range; also serves the app_id foreign key.
    index('api_requests_app_idx').on(t.appId, t.createdAt),
    index('api_requests_api_key_idx').on(t.apiKeyId),
  ],
);

/**
 * Result callbacks of async API runs, waiting to be delivered: written with the run's acceptance,
 * so a callback survives a restart of the process that accepted the run. Any web process delivers
 * a due one (claimed with `claimed_until`, so one process at a time). `delivery_id` is sent as
 * X-Weft-Delivery and stays the same across attempts and restarts, so receivers can drop repeats.
 */
export const runCallbacks = pgTable(
  'run_callbacks',
  {
    runId: uuid('run_id')
      .primaryKey()
      .references(() => runs.id, { onDelete: 'cascade' }),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** The key that started the run: the callback is signed with its secret (no foreign key, so a revoked or deleted key's run still reports). */
    apiKeyId: uuid('api_key_id').notNull(),
    url: text('url').notNull(),
    deliveryId: uuid('delivery_id').notNull().defaultRandom(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    claimedUntil: timestamp('claimed_until', { withTimezone: true }),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('run_callbacks_pending_idx').on(t.createdAt).where(sql`${t.status} = 'pending'`),
    index('run_callbacks_workspace_idx').on(t.workspaceId),
  ],
);

export const reviewStatus = pgEnum('review_status', ['pending', 'decided', 'cancelled']);

/**
 * A human-review task: one per review step of a run (`step_key`; a loop has one per iteration),
 * written when the run pauses at it. It holds what the reviewer sees (rendered from the node's
 * config), who may decide, and, once decided, the audit of the decision: who, when, which action,
 * the edited values before and after, the comment. "Expired" is not stored: a pending task past
 * its deadline is expired (the run has taken its timeout branch). Exactly one decision wins: it is
 * written with `where status = 'pending'`.
 */
export const reviews = pgTable(
  'reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    appId: uuid('app_id')
      .notNull()
      .references(() => apps.id, { onDelete: 'cascade' }),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    stepKey: text('step_key').notNull(),
    nodeId: text('node_id').notNull(),
    title: text('title').notNull(),
    instructions: text('instructions').notNull().default(''),
    /** [{ label, value }] shown read-only. */
    context: jsonb('context').notNull().default([]),
    /** The data under review (the node's `data`) and whether it may be edited. */
    data: jsonb('data'),
    allowEdit: boolean('allow_edit').notNull().default(true),
    /** [{ name, label, type, options?, required, value }] the reviewer may edit. */
    fields: jsonb('fields').notNull().default([]),
    /** Custom actions [{ id, label }] besides approve and reject. */
    actions: jsonb('actions').notNull().default([]),
    /** { mode: anyone | members | role, userIds?, role? } */
    assignees: jsonb('assignees').notNull().default({ mode: 'anyone' }),
    allowExternal: boolean('allow_external').notNull().default(false),
    status: reviewStatus('status').notNull().default('pending'),
    deadlineAt: timestamp('deadline_at', { withTimezone: true }),
    remindAt: timestamp('remind_at', { withTimezone: true }),
    remindedAt: timestamp('reminded_at', { withTimezone: true }),
    createdAt: createdAt(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decidedBy: uuid('decided_by').references(() => users.id, { onDelete: 'set null' }),
    /** Who decided, as shown: a member's name, or "Name <email> (external)" for a signed link. */
    decidedByName: text('decided_by_name'),
    /** approve | reject | edit | a custom action id */
    decision: text('decision'),
    comment: text('comment'),
    /** The edited values before and after the decision: { data?, fields? }. */
    valuesBefore: jsonb('values_before'),
    valuesAfter: jsonb('values_after'),
    /** The id of the signed link issued for an external reviewer (only the newest one works). */
    externalLinkId: uuid('external_link_id'),
  },
  (t) => [
    uniqueIndex('reviews_run_step_idx').on(t.runId, t.stepKey),
    index('reviews_workspace_status_idx').on(t.workspaceId, t.status, t.createdAt),
    index('reviews_app_idx').on(t.appId),
    index('reviews_decided_by_idx').on(t.decidedBy),
  ],
);

/** In-app notifications: one row per member and event (a review waiting for them, a reminder). */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    /** Where the notification leads, a path inside the studio. */
    link: text('link'),
    reviewId: uuid('review_id').references(() => reviews.id, { onDelete: 'cascade' }),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('notifications_user_idx').on(t.userId, t.workspaceId, t.createdAt),
    index('notifications_workspace_idx').on(t.workspaceId),
    index('notifications_review_idx').on(t.reviewId),
  ],
);
