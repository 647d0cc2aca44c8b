// The caller's role in a workspace (from `workspace.get`) and what that role may do.
'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '@/components/trpc-provider';
import { roleAtLeast } from '@/server/services/roles';

export function useWorkspaceRole(workspaceId: string) {
  const trpc = useTRPC();
  const query = useQuery(trpc.workspace.get.queryOptions({ workspaceId }));
  const role = query.data?.role;
  return {
    workspace: query.data,
    role,
    /** Editors and owners build apps; viewers and reviewers only look. */
    canEdit: role ? roleAtLeast(role, 'editor') : false,
    isOwner: role === 'owner',
    query,
  };
}
