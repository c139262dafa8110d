// /join/<token>: the page behind a shareable invite link, a centred card. It shows the link's
// project, who made it, the role and what it allows, and the one next step (JoinNextStep); or
// why the link cannot be used.
import { useEffect, useState } from 'react';
import { InviteLinkDocument, errorCode } from '@invites/client';
import { query } from '../api';
import { describeError } from '../errors';
import { list, t, when } from '../i18n';
import { OpenProject, RoleMeaning } from '../components/Invitation';
import { Page, ProjectBadge } from '../components/Page';
import { ErrorText, Loading } from '../components/Status';
import { Link } from '../router';
import { roleName } from '../roles';
import { JoinNextStep, type Joined, type Preview } from './JoinNextStep';

export function JoinPage({ token }: { token: string }) {
  const [preview, setPreview] = useState<Preview | null | undefined>(undefined);
  const [loadError, setLoadError] = useState('');
  const [joined, setJoined] = useState<Joined | null>(null);

  useEffect(() => {
    let live = true;
    void query(InviteLinkDocument, { token }).then(({ data, error }) => {
      if (!live) return;
      const code = errorCode(error);
      if (error && code !== 'NOT_FOUND' && code !== 'BAD_USER_INPUT') setLoadError(describeError(error));
      setPreview(data?.inviteLink ?? null);
    });
    return () => {
      live = false;
    };
  }, [token]);

  if (preview === undefined) return <Page title={t('join.loadingTitle')} card><Loading /></Page>;
  if (preview === null) {
    return (
      <Page title={t('common.linkInvalidTitle')} card>
        <ErrorText>{loadError}</ErrorText>
        <p>{t('join.invalid')}</p>
        <p className="actions"><Link to="/" className="button secondary">{t('common.startPage')}</Link></p>
      </Page>
    );
  }
  const badge = <ProjectBadge name={preview.projectName} />;
  if (joined) {
    return (
      <Page card badge={badge} title={t('invite.joinedTitle', { project: joined.project.name })}>
        <p>{t('invite.joinedRole', { project: joined.project.name, role: roleName(joined.role) })}</p>
        <OpenProject id={joined.project.id} name={joined.project.name} />
      </Page>
    );
  }
  const domains = preview.allowedEmailDomains;
  return (
    <Page card badge={badge} title={t('invite.title', { inviter: preview.inviterName, project: preview.projectName })}>
      <dl className="facts">
        <dt>{t('invite.role')}</dt><dd>{roleName(preview.role)}</dd>
        {domains.length > 0 && (<><dt>{t('join.whoMay')}</dt><dd>{t('join.emailsAt', { domains: list(domains) })}</dd></>)}
        <dt>{preview.status === 'EXPIRED' ? t('invite.expired') : t('join.openUntil')}</dt><dd><time dateTime={preview.expiresAt}>{when(preview.expiresAt)}</time></dd>
      </dl>
      <RoleMeaning role={preview.role} />
      <JoinNextStep token={token} preview={preview} onJoined={setJoined} />
    </Page>
  );
}
