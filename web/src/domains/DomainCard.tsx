// One of a project's domains on its Domains tab: its state, the TXT record that proves it (name
// and value, each with a Copy button), "Check now", and, once verified, the policy and the role
// people join with through it. Removing it is asked for by the page, which confirms first.
import { useState } from 'react';
import {
  UpdateProjectDomainDocument, VerifyProjectDomainDocument, errorCode,
  type DomainPolicy, type ProjectDomainFieldsFragment, type ProjectFieldsFragment, type ProjectRole,
} from '@invites/client';
import { useAction } from '../action';
import { mutate } from '../api';
import { copyText } from '../clipboard';
import { describeError } from '../errors';
import { t, when } from '../i18n';
import { roleName } from '../roles';
import { RoleSelect } from '../components/RoleSelect';
import { ErrorText } from '../components/Status';
import { policies, policyLine, policyName, rolesFor } from './policies';

export function DomainCard({ project, domain, onChanged, onRemove, announce }: {
  project: ProjectFieldsFragment;
  domain: ProjectDomainFieldsFragment;
  /** The domain as the API answered a change of it. */
  onChanged: (d: ProjectDomainFieldsFragment) => void;
  onRemove: (d: ProjectDomainFieldsFragment) => void;
  /** Says a change in the page's status line. */
  announce: (message: string) => void;
}) {
  const check = useAction();
  // When a check on this page last failed to find the record (the API keeps no such time).
  const [failedAt, setFailedAt] = useState<string | null>(null);
  const headingId = `domain-${domain.id}`;

  const checkNow = () => check.run(async () => {
    const { data, error } = await mutate(VerifyProjectDomainDocument, { id: domain.id });
    if (!data) {
      if (errorCode(error) !== 'DOMAIN_NOT_VERIFIED') return describeError(error);
      setFailedAt(new Date().toISOString());
      // A verified domain whose record is gone loses its verification: show it as it is now.
      if (domain.verified) onChanged({ ...domain, verified: false, verifiedAt: null, policy: 'OFF' });
      return t('domains.check.notFound', { name: domain.txtRecordName });
    }
    setFailedAt(null);
    onChanged(data.verifyProjectDomain);
    announce(t('domains.check.verified', { domain: domain.domain }));
  });

  async function copy(text: string, what: 'name' | 'value') {
    if (!(await copyText(text))) return announce(t('domains.copy.refused'));
    announce(t(what === 'name' ? 'domains.copy.nameCopied' : 'domains.copy.valueCopied', { domain: domain.domain }));
  }

  return (
    <section className="domain" aria-labelledby={headingId}>
      <h3 id={headingId}>{domain.domain}</h3>
      <DomainState domain={domain} failedAt={failedAt} />
      <h4>{t('domains.record.title')}</h4>
      <dl className="record">
        <dt>{t('domains.record.name')}</dt>
        <dd><code>{domain.txtRecordName}</code> <button type="button" className="secondary" onClick={() => void copy(domain.txtRecordName, 'name')}>{t('domains.copy.name')}</button></dd>
        <dt>{t('domains.record.value')}</dt>
        <dd><code>{domain.txtRecordValue}</code> <button type="button" className="secondary" onClick={() => void copy(domain.txtRecordValue, 'value')}>{t('domains.copy.value')}</button></dd>
      </dl>
      <p className="hint">{t('domains.record.hint')}</p>
      <p className="actions">
        <button type="button" disabled={check.busy} onClick={() => void checkNow()}>{t('domains.check')}</button>
      </p>
      <ErrorText>{check.error}</ErrorText>
      <PolicyForm project={project} domain={domain} onChanged={onChanged} announce={announce} />
      <p className="actions">
        <button type="button" className="danger" onClick={() => onRemove(domain)}>{t('domains.remove')}</button>
      </p>
    </section>
  );
}

/** The domain's state: verified since when, not verified, or a check here that found no record. */
function DomainState({ domain, failedAt }: { domain: ProjectDomainFieldsFragment; failedAt: string | null }) {
  if (domain.verified && domain.verifiedAt) return <p className="state verified">{t('domains.state.verified', { date: when(domain.verifiedAt) })}</p>;
  if (failedAt) return <p className="state failed">{t('domains.state.failed', { date: when(failedAt) })}</p>;
  return <p className="state">{t('domains.state.unverified')}</p>;
}

/** The policy (each explained in one line) and the role joiners get, saved together. */
function PolicyForm({ project, domain, onChanged, announce }: {
  project: ProjectFieldsFragment;
  domain: ProjectDomainFieldsFragment;
  onChanged: (d: ProjectDomainFieldsFragment) => void;
  announce: (message: string) => void;
}) {
  const [policy, setPolicy] = useState<DomainPolicy>(domain.policy);
  const [role, setRole] = useState<ProjectRole>(domain.defaultRole);
  const save = useAction();
  const roles = rolesFor(project.assignableRoles, domain.defaultRole);
  // An ADMIN sees a role the OWNER set (ADMIN) but may not keep choosing it.
  const roleLocked = !project.assignableRoles.includes(domain.defaultRole);
  const id = (what: string) => `domain-${domain.id}-${what}`;
  // What the API holds, once it changes (a save, a check that lost the record and set OFF),
  // wins over what was picked; a reload that changes nothing keeps an unsaved pick.
  const held = `${domain.policy} ${domain.defaultRole}`;
  const [seen, setSeen] = useState(held);
  if (seen !== held) {
    setSeen(held);
    setPolicy(domain.policy);
    setRole(domain.defaultRole);
  }

  const submit = save.submit(async () => {
    const input = { id: domain.id, policy, defaultRole: roleLocked ? undefined : role };
    const { data, error } = await mutate(UpdateProjectDomainDocument, { input });
    if (!data) return describeError(error);
    onChanged(data.updateProjectDomain);
    announce(t('domains.policy.saved', { domain: domain.domain, policy: policyName(policy), role: roleName(data.updateProjectDomain.defaultRole) }));
  });

  return (
    <form onSubmit={submit} aria-labelledby={id('policy')}>
      <fieldset className="policies" aria-describedby={domain.verified ? undefined : id('policy-hint')}>
        <legend id={id('policy')}>{t('domains.policy.legend', { domain: domain.domain })}</legend>
        {!domain.verified && <p id={id('policy-hint')} className="hint">{t('domains.policy.needsVerified')}</p>}
        {policies.map((p) => (
          <label key={p} className="check">
            <input type="radio" name={id('policy')} value={p} checked={policy === p} disabled={!domain.verified && p !== 'OFF'}
              onChange={() => setPolicy(p)} aria-describedby={id(`line-${p}`)} />
            <span><strong>{policyName(p)}</strong> <span id={id(`line-${p}`)} className="hint">{policyLine(p)}</span></span>
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={id('role')}>{t('domains.role.label')}</label>
        <RoleSelect id={id('role')} name="defaultRole" roles={roles} value={role} onChange={setRole} nameOf={roleName}
          disabled={roleLocked} aria-describedby={roleLocked ? id('role-hint') : undefined} />
        {roleLocked && <p id={id('role-hint')} className="hint">{t('domains.role.ownerOnly')}</p>}
      </div>
      <p className="actions">
        <button type="submit" disabled={save.busy}>{t('domains.policy.save')}</button>
      </p>
      <ErrorText>{save.error}</ErrorText>
    </form>
  );
}
