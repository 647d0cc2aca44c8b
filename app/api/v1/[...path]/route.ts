// Any other /api/v1 path: a 404 in Dify's error shape (with CORS, so browsers can read it).
import { notFoundRoute } from '@/server/public-api/handler';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const notFound = notFoundRoute();

export { notFound as DELETE, notFound as GET, notFound as PATCH, notFound as POST, notFound as PUT };
