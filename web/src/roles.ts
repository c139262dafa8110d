// What each project role is called and what it lets its holder do, in one line, in one place:
// the invitee's pages say it under the role they offer (SPEC §2: PENDING < CONTRIBUTOR < ADMIN
// < OWNER, and only ADMIN and OWNER act on others, on roles below their own).
import type { ProjectRole } from '@invites/client';
import { t, type MessageId } from './i18n';

export const roleNames: Record<ProjectRole, string> = {
  PENDING: 'Pending',
  CONTRIBUTOR: 'Contributor',
  ADMIN: 'Admin',
  OWNER: 'Owner',
};

export const roleAllows: Record<ProjectRole, string> = {
  PENDING: 'You join the project; an admin decides later what you can see and do in it.',
  CONTRIBUTOR: 'You see the project and who else is in it.',
  ADMIN: 'You invite and manage contributors, and run the invitations, invite links and webhooks.',
  OWNER: 'You run the project and choose its admins.',
};

// The same, in the invitee's language on the invitee's pages (catalogs in locales/).
const roleIds: Record<ProjectRole, { name: MessageId; allows: MessageId }> = {
  PENDING: { name: 'role.pending', allows: 'role.pending.allows' },
  CONTRIBUTOR: { name: 'role.contributor', allows: 'role.contributor.allows' },
  ADMIN: { name: 'role.admin', allows: 'role.admin.allows' },
  OWNER: { name: 'role.owner', allows: 'role.owner.allows' },
};

/** The role's name in the page's language. */
export function roleName(role: ProjectRole): string {
  return t(roleIds[role].name);
}

/** What the role allows, in one line in the page's language. */
export function roleAllowsLine(role: ProjectRole): string {
  return t(roleIds[role].allows);
}
