// /projects/<id>/activity: what happened in the project, newest first, one sentence per action
// (activity/sentences.ts), a bulk invite as one line ("Ada invited 189 people from people.csv")
// with its people under it. It follows the project live (the activityAdded subscription, no
// polling): a new action appears at the top.
import { useEffect, useMemo, useState } from 'react';
import { ActivityAddedDocument, ProjectActivityDocument, type ProjectFieldsFragment } from '@invites/client';
import { pagedReads } from '../api';
import { subscribe } from '../live';
import { describeError, when } from '../errors';
import { ProjectFrame } from '../components/ProjectFrame';
import { ErrorText, Loading } from '../components/Status';
import { MoreButton, maxPageSize } from '../components/TableFrame';
import { lines, type ActivityEvent, type Line } from '../activity/sentences';

export function ProjectActivityPage({ id }: { id: string }) {
  return (
    <ProjectFrame id={id} tab="activity">
      {(project) => <Activity project={project} />}
    </ProjectFrame>
  );
}

interface Loaded {
  events: ActivityEvent[];
  total: number;
  endCursor: string | null;
  hasMore: boolean;
}

function Activity({ project }: { project: ProjectFieldsFragment }) {
  const [loaded, setLoaded] = useState<Loaded | undefined>(undefined);
  // Events heard live since the page opened, newest first.
  const [live, setLive] = useState<ActivityEvent[]>([]);
  const [error, setError] = useState('');

  // Only the latest first page counts (another project's may answer late); a next page asked
  // for before it continues a list that is gone.
  const [read] = useState(() => pagedReads(ProjectActivityDocument));
  async function load(after: string | null) {
    const answer = await read({ id: project.id, first: maxPageSize, after }, Boolean(after));
    if (!answer) return;
    const { data, error } = answer;
    const a = data?.project?.activity;
    if (!a) {
      setError(describeError(error));
      return;
    }
    setLoaded((prev) => ({
      events: [...(after && prev ? prev.events : []), ...a.edges.map((e) => e.node)],
      total: a.totalCount, endCursor: a.pageInfo.endCursor, hasMore: a.pageInfo.hasNextPage,
    }));
  }
  useEffect(() => {
    // The stream starts before the first page loads, so that nothing falls between the two.
    const stop = subscribe(ActivityAddedDocument, { projectId: project.id }, ({ activityAdded: e }) => {
      setLive((l) => (l.some((x) => x.id === e.id) ? l : [e, ...l]));
    });
    void load(null);
    return stop;
  }, [project.id]);

  const shown = useMemo(() => {
    if (!loaded) return [];
    const known = new Set(loaded.events.map((e) => e.id));
    return lines([...live.filter((e) => !known.has(e.id)), ...loaded.events]);
  }, [loaded, live]);

  return (
    <section aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      <ErrorText>{error}</ErrorText>
      {!loaded ? (!error && <Loading />) : shown.length === 0 ? (
        <p>Nothing has happened yet. Invite someone, and what they do shows here as it happens.</p>
      ) : (
        <>
          {/* A log: a screen reader reads out the lines that come in live. */}
          <div role="log" aria-label="Activity, newest first">
            <ol className="activity">
              {shown.map((l) => <ActivityLine key={l.id} line={l} />)}
            </ol>
          </div>
          {loaded.hasMore && <MoreButton shown={loaded.events.length} total={loaded.total} what="events" onClick={() => void load(loaded.endCursor)} />}
        </>
      )}
    </section>
  );
}

function ActivityLine({ line }: { line: Line }) {
  return (
    <li>
      <span>{line.text}.</span> <time dateTime={line.createdAt} className="muted">{when(line.createdAt)}</time>
      {line.people && (
        <details>
          <summary>Who{line.people.length < (line.size ?? 0) ? ` (the ${line.people.length} loaded so far)` : ''}</summary>
          <ul>{line.people.map((p, i) => <li key={i} className="email">{p}</li>)}</ul>
        </details>
      )}
    </li>
  );
}
