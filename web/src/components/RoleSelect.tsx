// The role picker of every form that grants a project role: only the roles the viewer may grant.
import type { SelectHTMLAttributes } from 'react';
import type { ProjectRole } from '@invites/client';
import { roleNames } from '../errors';

export function RoleSelect({ roles, value, onChange, nameOf = (r) => roleNames[r], ...rest }: {
  roles: readonly ProjectRole[];
  value: ProjectRole;
  onChange: (role: ProjectRole) => void;
  /** A role's name as the page says it: the console's English by default. */
  nameOf?: (role: ProjectRole) => string;
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'>) {
  return (
    <select {...rest} value={value} onChange={(e) => onChange(e.target.value as ProjectRole)}>
      {roles.map((r) => <option key={r} value={r}>{nameOf(r)}</option>)}
    </select>
  );
}

/** The role a form starts with: Contributor where the viewer may grant it. */
export function defaultRole(roles: readonly ProjectRole[]): ProjectRole {
  return roles.includes('CONTRIBUTOR') ? 'CONTRIBUTOR' : (roles[0] ?? 'PENDING');
}
