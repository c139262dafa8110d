// The parts the invitee's pages share: what the offered role allows, and the way into the
// project once joined.
import type { ProjectRole } from '@invites/client';
import { projectPath } from '../invitation';
import { t } from '../i18n';
import { roleAllowsLine, roleName } from '../roles';
import { Link } from '../router';

/** The role, and in one line what it allows. */
export function RoleMeaning({ role }: { role: ProjectRole }) {
  return <p className="role-meaning"><strong>{roleName(role)}.</strong> {roleAllowsLine(role)}</p>;
}

/** "Open <project>" as the page's main button; without the project's ID, the start page. */
export function OpenProject({ id, name }: { id?: string | null; name: string }) {
  return id
    ? <p className="actions"><Link to={projectPath(id)} className="button">{t('invitation.open', { project: name })}</Link></p>
    : <p className="actions"><Link to="/" className="button">{t('common.goToProjects')}</Link></p>;
}
