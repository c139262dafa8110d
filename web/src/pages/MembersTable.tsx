// The members table: each member's name, email, role (a picker where the viewer may change it),
// external ID (for admins) and the actions the viewer may take on them; for admins a checkbox
// to pick the member for an action on many. What the actions do is the page's.
import { useEffect, useState } from 'react';
import type { MemberFieldsFragment, ProjectFieldsFragment, ProjectRole } from '@invites/client';
import { roleNames } from '../errors';
import type { Selection } from '../listing';
import { isAdmin } from '../components/ProjectFrame';
import { RoleSelect } from '../components/RoleSelect';
import { TableFrame } from '../components/TableFrame';

type Member = MemberFieldsFragment;

/** What the page does when the viewer acts on a member. */
export interface MemberActions {
  role(m: Member, role: ProjectRole): void;
  externalId(m: Member, externalId: string): void;
  remove(m: Member): void;
  transfer(m: Member): void;
  leave(): void;
}

export function MembersTable({ members, project, meId, canAct, selection, actions }: {
  members: Member[]; project: ProjectFieldsFragment; meId: string; canAct: (m: Member) => boolean;
  selection: Selection; actions: MemberActions;
}) {
  const admin = isAdmin(project);
  return (
    <TableFrame label="Members">
      <table>
        <thead>
          <tr>
            {admin && <th scope="col" />}
            <th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th>{admin && <th scope="col">External ID</th>}<th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <MemberRow key={m.id} m={m} project={project} self={m.user.id === meId} canAct={canAct(m)} admin={admin}
              selected={selection.has(m.id)} onSelect={() => selection.toggle(m.id)} actions={actions} />
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

function MemberRow({ m, project, self, canAct, admin, selected, onSelect, actions }: {
  m: Member; project: ProjectFieldsFragment; self: boolean; canAct: boolean; admin: boolean; selected: boolean;
  onSelect: () => void; actions: MemberActions;
}) {
  const transferable = project.viewerRole === 'OWNER' && m.role === 'ADMIN';
  const leavable = self && project.viewerRole !== 'OWNER';
  return (
    <tr>
      {admin && <td>{canAct && <input type="checkbox" aria-label={`Select ${m.user.name}`} checked={selected} onChange={onSelect} />}</td>}
      <th scope="row">{m.user.name}{self && <span className="muted"> (you)</span>}</th>
      <td className="email">{m.user.email}</td>
      <td>
        {canAct ? (
          <RoleSelect aria-label={`Role of ${m.user.name}`} roles={project.assignableRoles} value={m.role} onChange={(role) => actions.role(m, role)} />
        ) : roleNames[m.role]}
      </td>
      {admin && <td>{canAct || self ? <ExternalIdEditor member={m} onSave={(v) => actions.externalId(m, v)} /> : (m.externalId ?? '')}</td>}
      <td>
        {(canAct || transferable || leavable) && (
          <div className="actions">
            {canAct && <button type="button" className="secondary" aria-label={`Remove ${m.user.name}`} onClick={() => actions.remove(m)}>Remove</button>}
            {transferable && (
              <button type="button" className="secondary" aria-label={`Transfer ownership to ${m.user.name}`} onClick={() => actions.transfer(m)}>Transfer ownership</button>
            )}
            {leavable && <button type="button" className="secondary" onClick={actions.leave}>Leave the project</button>}
          </div>
        )}
      </td>
    </tr>
  );
}

function ExternalIdEditor({ member, onSave }: { member: Member; onSave: (id: string) => void }) {
  const [value, setValue] = useState(member.externalId ?? '');
  useEffect(() => setValue(member.externalId ?? ''), [member.externalId]);
  const changed = value !== (member.externalId ?? '');
  return (
    <form className="inline" onSubmit={(e) => { e.preventDefault(); onSave(value.trim()); }}>
      <input aria-label={`External ID of ${member.user.name}`} maxLength={64} value={value} onChange={(e) => setValue(e.target.value)} />
      <button type="submit" className="secondary" disabled={!changed}>{value.trim() === '' && member.externalId ? 'Clear' : 'Save'}</button>
    </form>
  );
}
