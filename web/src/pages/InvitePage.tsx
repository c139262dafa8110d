// /invite/<token>: the page behind an invite email's link, a centred card. It shows the invite
// (who invites, to which project, the role and what it allows) and the one next step for the
// person's situation (InviteNextStep), or why the link cannot be used.
import { useEffect, useState } from 'react';
import { InvitationDocument, errorCode, errorReason } from '@invites/client';
import { query } from '../api';
import { describeError } from '../errors';
import { pageLocale, t, when } from '../i18n';
import { Page, ProjectBadge } from '../components/Page';
import { OpenProject, RoleMeaning } from '../components/Invitation';
import { ErrorText, Loading } from '../components/Status';
import { Link } from '../router';
import { roleName } from '../roles';
import { InviteNextStep, type Outcome, type Preview } from './InviteNextStep';

type Loaded = { preview: Preview } | { invalid: 'replaced' | 'unknown'; error: string };

export function InvitePage({ token }: { token: string }) {
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  useEffect(() => {
    let live = true;
    void query(InvitationDocument, { token }).then(({ data, error }) => {
      if (!live) return;
      if (data?.invitation) return setLoaded({ preview: data.invitation });
      // A resend or a reminder gave the invite a newer link: this one was replaced. An unknown
      // or malformed token is simply not a valid link; anything else is said.
      const code = errorCode(error);
      const replaced = code === 'NOT_FOUND' && errorReason(error) === 'LINK_REPLACED';
      const said = error && code !== 'NOT_FOUND' && code !== 'BAD_USER_INPUT' ? describeError(error) : '';
      setLoaded({ invalid: replaced ? 'replaced' : 'unknown', error: said });
    });
    return () => {
      live = false;
    };
  }, [token]);

  // The invite's own language (InvitePreview.locale, SPEC §17) unless the reader chose another.
  const forInvite = loaded && 'preview' in loaded ? (loaded.preview as { locale?: string | null }).locale : undefined;
  pageLocale(forInvite);
  if (loaded === undefined) return <Page title={t('invite.loadingTitle')} card><Loading /></Page>;
  if ('invalid' in loaded) return <InvalidInvite replaced={loaded.invalid === 'replaced'} error={loaded.error} />;
  const { preview } = loaded;
  const note = (preview as { note?: string | null }).note;
  const place = preview.projectName ?? 'Invites';
  const badge = <ProjectBadge name={place} />;
  if (outcome?.kind === 'joined') {
    return (
      <Page card badge={badge} title={preview.projectName ? t('invite.joinedTitle', { project: preview.projectName }) : t('invite.readyTitle')}>
        {preview.role && <p>{t('invite.joinedRole', { project: place, role: roleName(preview.role) })}</p>}
        <OpenProject id={preview.projectId} name={place} />
      </Page>
    );
  }
  if (outcome?.kind === 'declined') {
    return (
      <Page card badge={badge} title={t('invite.declinedTitle')}>
        <p>{t('invite.declined', { project: place, inviter: preview.inviterName })}</p>
        <p className="actions"><Link to="/" className="button secondary">{t('common.startPage')}</Link></p>
      </Page>
    );
  }
  return (
    <Page card badge={badge} title={t('invite.title', { inviter: preview.inviterName, project: place })}>
      {note && (
        <figure className="note">
          <figcaption>{t('invite.note', { inviter: preview.inviterName })}</figcaption>
          <blockquote dir="auto">{note}</blockquote>
        </figure>
      )}
      <dl className="facts">
        {preview.role && (<><dt>{t('invite.role')}</dt><dd>{roleName(preview.role)}</dd></>)}
        <dt>{t('invite.email')}</dt><dd>{preview.email}</dd>
        <dt>{preview.status === 'EXPIRED' ? t('invite.expired') : t('invite.expires')}</dt><dd><time dateTime={preview.expiresAt}>{when(preview.expiresAt)}</time></dd>
      </dl>
      {preview.role && <RoleMeaning role={preview.role} />}
      <InviteNextStep token={token} preview={preview} onOutcome={setOutcome} />
    </Page>
  );
}

function InvalidInvite({ replaced, error }: { replaced: boolean; error: string }) {
  if (replaced) {
    return (
      <Page card title={t('invite.replacedTitle')}>
        <p>{t('invite.replaced')}</p>
        <p className="actions"><Link to="/" className="button secondary">{t('common.startPage')}</Link></p>
      </Page>
    );
  }
  return (
    <Page card title={t('invite.invalidTitle')}>
      <ErrorText>{error}</ErrorText>
      <p>{t('invite.invalid')}</p>
      <p className="actions"><Link to="/" className="button secondary">{t('common.startPage')}</Link></p>
    </Page>
  );
}
