// /projects/<id>/domains: a project's verified domains, for its admins (SPEC §16): add one, prove
// it by the DNS TXT record shown (DomainCard), choose its policy and role, remove it after a
// confirmation; and the OWNER's switch that restricts the project to those domains, with the
// members outside them listed (RestrictToDomains). Each change is said in the status line.
import { useCallback, useEffect, useState } from 'react';
import {
  AddProjectDomainDocument, ProjectDomainsDocument, RemoveProjectDomainDocument, errorCode, errorReason,
  type ProjectDomainFieldsFragment, type ProjectDomainsQuery, type ProjectFieldsFragment,
} from '@invites/client';
import type { CombinedError } from '@urql/core';
import { useAction } from '../action';
import { latestReads, mutate } from '../api';
import { describeError } from '../errors';
import { t } from '../i18n';
import { Announcer } from '../components/Announcer';
import { ConfirmDialog, type Question } from '../components/ConfirmDialog';
import { ProjectFrame } from '../components/ProjectFrame';
import { ErrorText, Loading } from '../components/Status';
import { DomainCard } from '../domains/DomainCard';
import { RestrictToDomains } from '../domains/RestrictToDomains';

export function ProjectDomainsPage({ id }: { id: string }) {
  return <ProjectFrame id={id} tab="domains">{(project) => <Domains project={project} />}</ProjectFrame>;
}

type Settings = NonNullable<ProjectDomainsQuery['project']>;

function Domains({ project }: { project: ProjectFieldsFragment }) {
  const [settings, setSettings] = useState<Settings | undefined>(undefined);
  const [error, setError] = useState('');
  const [message, setMessage] = useState('');
  const [question, setQuestion] = useState<Question | null>(null);

  // Only the latest read counts, and the one after a change asks the server again.
  const [read] = useState(() => latestReads(ProjectDomainsDocument));
  const load = useCallback(() => {
    void read({ id: project.id }).then((answer) => {
      if (!answer) return; // a later read answers instead
      const { data, error } = answer;
      if (!data?.project) return setError(describeError(error));
      setError('');
      setSettings(data.project);
    });
  }, [project.id, read]);
  useEffect(() => load(), [load]);

  const announce = (m: string) => {
    setMessage('');
    // The region empties first and takes the words in a later render, so that the same words
    // twice (a value copied again) are read out again.
    window.setTimeout(() => setMessage(m), 0);
  };
  const changed = (d: ProjectDomainFieldsFragment) => {
    setSettings((s) => s && { ...s, domains: s.domains.map((x) => (x.id === d.id ? d : x)) });
    load(); // the members outside the verified domains follow a domain's verification
  };
  function remove(d: ProjectDomainFieldsFragment) {
    setQuestion({
      title: t('domains.removeDialog.title', { domain: d.domain }),
      body: <p>{t('domains.removeDialog.body')}</p>,
      confirm: t('domains.removeDialog.confirm'),
      onConfirm: () => void (async () => {
        const { data, error } = await mutate(RemoveProjectDomainDocument, { id: d.id });
        if (!data) return setError(describeError(error));
        announce(t('domains.removed', { domain: d.domain }));
        load();
      })(),
    });
  }

  if (!settings) return error ? <ErrorText>{error}</ErrorText> : <Loading />;
  return (
    <section aria-labelledby="domains-title">
      <h2 id="domains-title">{t('domains.title', { count: settings.domains.length })}</h2>
      <p>{t('domains.intro')}</p>
      <AddDomain projectId={project.id} onAdded={(d) => { announce(t('domains.added', { domain: d.domain })); load(); }} />
      <Announcer message={message} />
      <ErrorText>{error}</ErrorText>
      {settings.domains.length === 0 ? <p>{t('domains.none')}</p> : settings.domains.map((d) => (
        <DomainCard key={d.id} project={project} domain={d} onChanged={changed} onRemove={remove} announce={announce} />
      ))}
      <RestrictToDomains project={project} restricted={settings.restrictToDomains} outside={settings.membersOutsideDomains}
        onChanged={(on) => { announce(t(on ? 'domains.restrict.turnedOn' : 'domains.restrict.turnedOff')); load(); }} />
      <ConfirmDialog question={question} onClose={() => setQuestion(null)} />
    </section>
  );
}

function AddDomain({ projectId, onAdded }: { projectId: string; onAdded: (d: ProjectDomainFieldsFragment) => void }) {
  const [domain, setDomain] = useState('');
  const action = useAction();
  const submit = action.submit(async () => {
    const { data, error } = await mutate(AddProjectDomainDocument, { projectId, domain });
    if (!data) return addError(error, domain.trim());
    setDomain('');
    onAdded(data.addProjectDomain);
  });
  return (
    <form onSubmit={submit} className="row" aria-labelledby="add-domain">
      <h3 id="add-domain" className="visually-hidden">{t('domains.add.title')}</h3>
      <div className="field">
        <label htmlFor="new-domain">{t('domains.add.label')}</label>
        <input id="new-domain" name="domain" required value={domain} onChange={(e) => setDomain(e.target.value)} placeholder="example.com"
          autoComplete="off" spellCheck={false} aria-describedby={action.error ? 'new-domain-hint new-domain-error' : 'new-domain-hint'} />
        <p id="new-domain-hint" className="hint">{t('domains.add.hint')}</p>
      </div>
      <button type="submit" disabled={action.busy}>{t('domains.add.submit')}</button>
      <ErrorText id="new-domain-error">{action.error}</ErrorText>
    </form>
  );
}

/** Why a domain was not added, in words: free mail, a public suffix, not a domain, too many. */
function addError(error: CombinedError | undefined, domain: string): string {
  switch (errorCode(error)) {
    case 'FREE_EMAIL_DOMAIN':
      return t('domains.error.freeMail', { domain });
    case 'BAD_USER_INPUT':
      return errorReason(error) === 'LIMIT_EXCEEDED' ? t('domains.error.limit') : t('domains.error.invalid', { domain });
    default:
      return describeError(error);
  }
}
