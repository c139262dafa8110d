// /projects/<id>/links: for a project's admins, its invite links (InviteLinks).
import { ProjectFrame } from '../components/ProjectFrame';
import { InviteLinks } from './InviteLinks';

export function ProjectLinksPage({ id }: { id: string }) {
  return <ProjectFrame id={id} tab="links">{(project) => <InviteLinks project={project} />}</ProjectFrame>;
}
