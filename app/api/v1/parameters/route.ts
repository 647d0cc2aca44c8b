// GET /api/v1/parameters: the input form of the app's published version (Dify Service API).
import { appParameters } from '@/server/public-api/app-info';
import { apiRoute } from '@/server/public-api/handler';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(async ({ db, caller }) => appParameters(db, caller.app));
