// Runs once per server process at boot (Node.js runtime only): validates the configuration and
// opens the database, applying pending migrations before the first request, and starts the
// embedded workflow worker (unless WEFT_WEB_WORKER=false), the outbox that delivers async-run
// callbacks (including those left pending by a previous process) and the review reminder sweeper.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { config } = await import('./server/config');
  config();
  const { getDatabase } = await import('./db/client');
  const database = await getDatabase();
  console.log(`Weft: database ready (${database.kind})`);
  const { processCallbackOutbox } = await import('./server/public-api/callback-outbox');
  processCallbackOutbox(database.db);
  const { processReviewReminders } = await import('./server/services/review-reminders');
  processReviewReminders(database.db);
  if (config().WEFT_WEB_WORKER) {
    const { startProcessWorker } = await import('./server/engine/runtime');
    const worker = await startProcessWorker();
    console.log(`Weft: embedded worker ${worker.id} running`);
  }
}
