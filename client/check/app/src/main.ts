// A fresh Vite + TypeScript app's first use of the package: a query, a subscription, an error
// code. check/install.sh installs the packed tarball here and type-checks and builds this.
import { createClient, errorCode, InviteChangedDocument, ProjectsDocument, type ProjectRole } from '@invites/client';

const client = createClient({ url: '/graphql', token: () => localStorage.getItem('token') });
const main = document.querySelector<HTMLElement>('#projects')!;
const admin: ProjectRole = 'ADMIN';

client.query(ProjectsDocument, { first: 20 }).toPromise().then(({ data, error }) => {
  if (!data) {
    main.textContent = errorCode(error) === 'UNAUTHENTICATED' ? 'Log in to see your projects.' : String(error?.message);
    return;
  }
  for (const { node } of data.projects.edges) {
    const p = main.appendChild(document.createElement('p'));
    p.textContent = `${node.name}${node.viewerRole === admin ? ' (admin)' : ''}`;
    client.subscription(InviteChangedDocument, { projectId: node.id }).subscribe(({ data: change }) => {
      if (change) p.title = `${change.inviteChanged.email}: ${change.inviteChanged.status}`;
    });
  }
});
