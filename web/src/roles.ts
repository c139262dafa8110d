// What each project role is called and what it lets its holder do, in one line, in one place:
// the invitee's pages say it under the role they offer (SPEC §2: PENDING < CONTRIBUTOR < ADMIN
// < OWNER, and only ADMIN and OWNER act on others, on roles below their own).
import type { ProjectRole } from '@invites/client';

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
