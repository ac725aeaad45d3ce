// authentik's RBAC naming, shared by observe (reads grants), plan (diffs them) and apply (writes them).
import { modelLiteral } from '../authentik/registry.js';

export const ROLE_MODEL = modelLiteral('authentik_rbac.role');
export const USER_MODEL = modelLiteral('authentik_core.user');

/** Name of the role authentik (2025.10+) keeps a user's own permissions in; only authentik creates it. */
export function managedRoleName(userPk: string | number): string {
  return `ak-managed-role--user-${String(userPk)}`;
}
