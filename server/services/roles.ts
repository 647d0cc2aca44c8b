// Workspace roles, ordered: each role can do everything the roles below it can.
export const ROLES = ['viewer', 'reviewer', 'editor', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}
