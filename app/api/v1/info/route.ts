// GET /api/v1/info: the app's name, description, tags and mode (Dify Service API).
import { appInfo } from '@/server/public-api/app-info';
import { apiRoute } from '@/server/public-api/handler';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(async ({ caller }) => appInfo(caller.app));
