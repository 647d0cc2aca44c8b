// How workspace roles are named and explained in the UI.
import type { Role } from '@/server/services/roles';

export const ROLE_LABEL: Record<Role, string> = {
  viewer: 'Viewer',
  reviewer: 'Reviewer',
  editor: 'Editor',
  owner: 'Owner',
};

export const ROLE_HINT: Record<Role, string> = {
  viewer: 'Can look at apps and their versions.',
  reviewer: 'Can look at apps and review their runs.',
  editor: 'Can create, change, publish and delete apps.',
  owner: 'Can do everything, including managing members.',
};
