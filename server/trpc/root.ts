// The studio's tRPC API: every router, and the type the client is generated from.
import { createCallerFactory, router } from './init';
import { apiKeysRouter } from './routers/api-keys';
import { apiUsageRouter } from './routers/api-usage';
import { appsRouter } from './routers/apps';
import { authRouter } from './routers/auth';
import { providersRouter } from './routers/providers';
import { reviewLinksRouter } from './routers/review-links';
import { reviewSettingsRouter } from './routers/review-settings';
import { reviewsRouter } from './routers/reviews';
import { runsRouter } from './routers/runs';
import { secretsRouter } from './routers/secrets';
import { studioRouter } from './routers/studio';
import { webChatRouter } from './routers/web-chat';
import { workspaceRouter } from './routers/workspace';

export const appRouter = router({
  auth: authRouter,
  workspace: workspaceRouter,
  apps: appsRouter,
  runs: runsRouter,
  reviews: reviewsRouter,
  reviewSettings: reviewSettingsRouter,
  reviewLinks: reviewLinksRouter,
  secrets: secretsRouter,
  providers: providersRouter,
  studio: studioRouter,
  apiKeys: apiKeysRouter,
  apiUsage: apiUsageRouter,
  webChat: webChatRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
