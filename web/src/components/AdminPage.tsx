// The frame of a project page, outside its tabs, that only its admins and owner may use (bulk invite):
// it loads the project, asks a signed-out visitor to log in and come back, and tells anyone
// below ADMIN why the page is not for them.
import type { ReactNode } from 'react';
import type { ProjectFieldsFragment } from '@invites/client';
import { Page } from './Page';
import { Loading } from './Status';
import { Link } from '../router';
import { isAdmin, useProject } from './ProjectFrame';

export function AdminPage({ id, title, path, refusal, children }: {
  id: string;
  title: string;
  /** The page's own path under /projects/<id>, for the log-in link to return to. */
  path: string;
  /** What only admins may do here, to complete "Only a project's admins and its owner ...". */
  refusal: string;
  children: (project: ProjectFieldsFragment) => ReactNode;
}) {
  const { me, project } = useProject(id);

  if (me === null) {
    return <Page title={title}><p><Link to={`/login?next=${encodeURIComponent(`/projects/${id}/${path}`)}`}>Log in</Link> first.</p></Page>;
  }
  if (me === undefined || project === undefined) return <Page title={title}><Loading /></Page>;
  if (project === null || !isAdmin(project)) {
    return <Page title={title}><p>Only a project's admins and its owner {refusal}. <Link to="/">Go to your projects</Link>.</p></Page>;
  }
  return <>{children(project)}</>;
}
