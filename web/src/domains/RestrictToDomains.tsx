// The project's "Restrict to verified domains" switch on its Domains tab: the OWNER turns it on
// or off (an admin sees where it stands); while it is on, the members whose email is at none
// of the verified domains are listed for review. Restricting removes nobody.
import { UpdateProjectDocument, type MemberFieldsFragment, type ProjectFieldsFragment } from '@invites/client';
import { useAction } from '../action';
import { mutate } from '../api';
import { describeError } from '../errors';
import { t } from '../i18n';
import { roleName } from '../roles';
import { ErrorText } from '../components/Status';

export function RestrictToDomains({ project, restricted, outside, onChanged }: {
  project: ProjectFieldsFragment;
  restricted: boolean;
  outside: readonly MemberFieldsFragment[];
  /** The switch was turned (on: true) and the API took it. */
  onChanged: (on: boolean) => void;
}) {
  const owner = project.viewerRole === 'OWNER';
  const action = useAction();
  const turn = (on: boolean) => action.run(async () => {
    const { data, error } = await mutate(UpdateProjectDocument, { input: { id: project.id, restrictToDomains: on } });
    if (!data) return describeError(error);
    onChanged(data.updateProject.restrictToDomains);
  });

  return (
    <section aria-labelledby="restrict-title">
      <h3 id="restrict-title">{t('domains.restrict.title')}</h3>
      <label className="check">
        <input type="checkbox" role="switch" name="restrictToDomains" checked={restricted} disabled={!owner || action.busy}
          onChange={(e) => void turn(e.target.checked)} aria-describedby="restrict-hint" />
        {t('domains.restrict.label')}
      </label>
      <p id="restrict-hint" className="hint">{owner ? t('domains.restrict.hint') : t('domains.restrict.ownerOnly')}</p>
      <ErrorText>{action.error}</ErrorText>
      {restricted && <OutsideMembers members={outside} />}
    </section>
  );
}

function OutsideMembers({ members }: { members: readonly MemberFieldsFragment[] }) {
  return (
    <section aria-labelledby="outside-title">
      <h4 id="outside-title">{t('domains.outside.title', { count: members.length })}</h4>
      {members.length === 0 ? <p>{t('domains.outside.none')}</p> : (
        <>
          <p className="hint">{t('domains.outside.intro')}</p>
          <ul className="cards">
            {members.map((m) => (
              <li key={m.id}>{m.user.name} <span className="email">({m.user.email})</span> <span className="muted">· {roleName(m.role)}</span></li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
