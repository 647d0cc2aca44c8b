// The Temporal workflow that runs a Weft run: the same interpreter as the embedded engine, with
// Temporal as the Durable port. Signals deliver review decisions and cancellation; a query reports
// what the run is doing. The outcome is stored by an activity, since Postgres is what the UI reads.
import { CancellationScope, continueAsNew, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import { internalFailure, runWorkflow } from '@/workflows/interpreter';
import type { RunOutcome } from '@/workflows/interpreter/types';
import {
  cancelSignal,
  deliverSignal,
  runStateQuery,
  type TemporalActivities,
  type TemporalRunInput,
} from './contract';
import { secretPlaceholders } from './secret-placeholders';
import { TemporalDurable } from './temporal-durable';

// Short database writes: local activities, so starting and finishing a run costs no task round trip.
const bookkeeping = proxyLocalActivities<TemporalActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 50 },
});

export async function weftRun(input: TemporalRunInput): Promise<RunOutcome> {
  const durable = new TemporalDurable(input);
  let finishingNow = false;
  setHandler(deliverSignal, ({ name, payload }) => durable.deliver(name, payload));
  setHandler(cancelSignal, () => durable.scope.cancel());
  setHandler(runStateQuery, () => ({
    ...durable.snapshot(),
    ...(finishingNow ? { status: 'finishing' as const } : {}),
  }));

  const ref = { runId: input.runId, workspaceId: input.workspaceId };
  if (!input.carried) await bookkeeping.beginRun(ref);

  const interpreted = durable.scope
    .run(() =>
      runWorkflow({
        definition: input.definition,
        inputs: input.inputs,
        catalog: input.catalog,
        durable,
        secrets: secretPlaceholders(input.secretNames),
      }),
    )
    .catch(internalFailure);
  const end = await Promise.race([interpreted, durable.drainedForContinue]);
  if (end === 'continue') {
    const records = durable.takePending();
    if (records.length > 0) await bookkeeping.storeRecords({ ...ref, records });
    return continueAsNew<typeof weftRun>({ ...input, carried: durable.carry() });
  }

  finishingNow = true;
  // Also when the run was cancelled: storing the outcome must not be cancelled with it.
  await CancellationScope.nonCancellable(() =>
    bookkeeping.finishRun({ ...ref, records: durable.takePending(), outcome: end }),
  );
  return end;
}
