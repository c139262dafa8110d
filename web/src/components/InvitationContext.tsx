// The line a detour (sign up, log in, forgot password) shows about the invitation it came from.
import { t } from '../i18n';
import type { InvitationContext } from '../invitation';
import { roleName } from '../roles';

export function InvitationLine({ context, then }: { context: InvitationContext; then: string }) {
  const values = { inviter: context.inviterName, project: context.projectName };
  return (
    <p className="context">
      {context.role ? t('context.lineWithRole', { ...values, role: roleName(context.role) }) : t('context.line', values)} {then}
    </p>
  );
}
