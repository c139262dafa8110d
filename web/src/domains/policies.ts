// What each domain policy is called and what it lets people with a verified email at the
// domain do, in one line each (SPEC §16), in the page's language (catalogs in locales/); and
// the roles a domain may give.
import type { DomainPolicy, ProjectRole } from '@invites/client';
import { t, type MessageId } from '../i18n';

/** The policies in the order the picker offers them: from nothing to joining on their own. */
export const policies: readonly DomainPolicy[] = ['OFF', 'SUGGEST', 'REQUEST', 'AUTO'];

const policyIds: Record<DomainPolicy, { name: MessageId; line: MessageId }> = {
  OFF: { name: 'domains.policy.off', line: 'domains.policy.off.line' },
  SUGGEST: { name: 'domains.policy.suggest', line: 'domains.policy.suggest.line' },
  REQUEST: { name: 'domains.policy.request', line: 'domains.policy.request.line' },
  AUTO: { name: 'domains.policy.auto', line: 'domains.policy.auto.line' },
};

/** The policy's name. */
export function policyName(p: DomainPolicy): string {
  return t(policyIds[p].name);
}

/** What the policy lets people at the domain do, in one line. */
export function policyLine(p: DomainPolicy): string {
  return t(policyIds[p].line);
}

/** The roles a domain may give its joiners (the API takes these two). */
const domainRoles: readonly ProjectRole[] = ['CONTRIBUTOR', 'ADMIN'];

/**
 * The roles the viewer may pick for a domain: those of domainRoles they may grant (ADMIN only
 * for an OWNER), and the domain's current one, so that the picker shows what is set.
 */
export function rolesFor(assignable: readonly ProjectRole[], current: ProjectRole): ProjectRole[] {
  return domainRoles.filter((r) => assignable.includes(r) || r === current);
}
