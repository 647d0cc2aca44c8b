// GET /api/v1/form/human_input/{token}: the form of a review that paused a run (Dify Service API).
// POST: decides it (inputs, action, user); the run resumes.
import { readBody } from '@/server/public-api/body';
import { apiRoute } from '@/server/public-api/handler';
import {
  getHumanInputForm,
  submitFormBody,
  submitHumanInputForm,
} from '@/server/public-api/human-input-form';

export { OPTIONS } from '@/server/public-api/handler';
export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute<{ token: string }>(async ({ db, caller, params }) =>
  getHumanInputForm(db, caller, params.token),
);

export const POST = apiRoute<{ token: string }>(async ({ req, db, engine, caller, params }) =>
  submitHumanInputForm(db, engine, caller, params.token, await readBody(req, submitFormBody)),
);
