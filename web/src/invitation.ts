// What the invitee's detours (sign up, log in, forgot password) know of the invitation they
// came from: the page to go back to is in ?next=, and when it is an invite's or an invite
// link's page, the detour names the project ("Sign up to join Physics 101").
import { useEffect, useState } from 'react';
import { InvitationDocument, InviteLinkDocument, ProjectDocument, type ProjectRole } from '@invites/client';
import { query } from './api';
import { safeNext } from './router';
import { useSession } from './session';

/** The invitation a detour came from, as its page showed it. */
export interface InvitationContext {
  projectName: string;
  inviterName: string;
  role: ProjectRole | null;
  /** The invited email, for an invite by email: the forms start with it. */
  email: string | null;
}

/** The invite's or invite link's token in a path of the app, with which of the two it is. */
export function invitationToken(path: string): { kind: 'invite' | 'join'; token: string } | null {
  const m = path.match(/^\/(invite|join)\/([^/?#]+)/);
  return m ? { kind: m[1] as 'invite' | 'join', token: decodeURIComponent(m[2]!) } : null;
}

/** The invitation next (a path of the app) leads back to; null when it leads elsewhere or while asking. */
export function useInvitationContext(next: string): InvitationContext | null {
  const [context, setContext] = useState<InvitationContext | null>(null);
  useEffect(() => {
    const found = invitationToken(next);
    if (!found) return;
    let live = true;
    void (async () => {
      if (found.kind === 'invite') {
        const p = (await query(InvitationDocument, { token: found.token })).data?.invitation;
        if (live && p?.projectName) setContext({ projectName: p.projectName, inviterName: p.inviterName, role: p.role ?? null, email: p.email });
      } else {
        const p = (await query(InviteLinkDocument, { token: found.token })).data?.inviteLink;
        if (live && p) setContext({ projectName: p.projectName, inviterName: p.inviterName, role: p.role, email: null });
      }
    })();
    return () => {
      live = false;
    };
  }, [next]);
  return context;
}

/**
 * The signed-in user's role in the project (by its ID): undefined while asking or signed out,
 * null when not a member. The invitee's pages offer "Open project" to a member.
 */
export function useMemberRole(projectId: string | null | undefined): ProjectRole | null | undefined {
  const { me } = useSession();
  const [role, setRole] = useState<{ of: string; role: ProjectRole | null } | undefined>(undefined);
  useEffect(() => {
    if (!me || !projectId) return;
    let live = true;
    void query(ProjectDocument, { id: projectId }).then(({ data }) => {
      if (live) setRole({ of: `${me.id} ${projectId}`, role: data?.project?.viewerRole ?? null });
    });
    return () => {
      live = false;
    };
  }, [me, projectId]);
  return me && projectId && role?.of === `${me.id} ${projectId}` ? role.role : undefined;
}

/** The path of a project's page. */
export const projectPath = (id: string): string => `/projects/${encodeURIComponent(id)}`;

/** The app's own address with ?next= (and ?email=, when known) carried on. */
export function withContext(path: string, next: string, email?: string | null): string {
  const params: string[] = [];
  if (next !== '/') params.push(`next=${encodeURIComponent(next)}`);
  if (email) params.push(`email=${encodeURIComponent(email)}`);
  return params.length ? `${path}?${params.join('&')}` : path;
}

const afterResetKey = 'invites.afterReset';

/**
 * Keeps the page a person asking for a password-reset link was on its way to: the link opens
 * in another tab, whose page then offers to go back there.
 */
export function rememberAfterReset(next: string): void {
  try {
    if (next !== '/') window.localStorage.setItem(afterResetKey, next);
    else window.localStorage.removeItem(afterResetKey);
  } catch {
    // nothing to keep it in: the reset page leads to the start page
  }
}

/** The page kept by rememberAfterReset, forgotten once read; '/' when none. */
export function takeAfterReset(): string {
  try {
    const next = window.localStorage.getItem(afterResetKey) ?? '/';
    window.localStorage.removeItem(afterResetKey);
    return safeNext(next);
  } catch {
    return '/';
  }
}
