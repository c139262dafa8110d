// The line a detour (sign up, log in, forgot password) shows about the invitation it came from.
import type { InvitationContext } from '../invitation';
import { roleNames } from '../roles';

export function InvitationLine({ context, then }: { context: InvitationContext; then: string }) {
  return (
    <p className="context">
      {context.inviterName} invited you to {context.projectName}{context.role ? ` as ${roleNames[context.role]}` : ''}. {then}
    </p>
  );
}
