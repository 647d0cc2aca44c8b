// The Runs tab. There is no runs API yet, so it says so plainly.
import { EmptyState } from '@/components/ui/empty-state';

export default function RunsPage() {
  return (
    <EmptyState title="No runs yet">
      Each time this app runs, the run will be listed here with its inputs, outputs, status and timing.
    </EmptyState>
  );
}
