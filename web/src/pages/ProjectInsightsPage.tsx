// /projects/<id>/insights: how the project's invitations are doing (SPEC §14): the funnel from
// sent to accepted, the time people take to accept, and the counts by week, inviter and batch,
// each drawn as a chart with its numbers in a table.
import { useEffect, useState } from 'react';
import { ProjectInsightsDocument, type ProjectFieldsFragment } from '@invites/client';
import { query } from '../api';
import { describeError } from '../errors';
import { ProjectFrame } from '../components/ProjectFrame';
import { ErrorText, Loading } from '../components/Status';
import { Link } from '../router';
import { Buckets, Funnel, bucketNames } from '../insights/InsightsSections';
import { duration, type Insights as Figures } from '../insights/figures';

export function ProjectInsightsPage({ id }: { id: string }) {
  return (
    <ProjectFrame id={id} tab="insights">
      {(project) => <Insights project={project} />}
    </ProjectFrame>
  );
}

function Insights({ project }: { project: ProjectFieldsFragment }) {
  const [figures, setFigures] = useState<Figures | undefined>(undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    void query(ProjectInsightsDocument, { id: project.id }).then(({ data, error }) => {
      if (data?.project) setFigures(data.project.insights);
      else setError(describeError(error));
    });
  }, [project.id]);

  return (
    <>
      <ErrorText>{error}</ErrorText>
      {!figures ? (!error && <Loading />) : figures.sent === 0 ? (
        <p>No invitations yet. <Link to={`/projects/${encodeURIComponent(project.id)}/bulk`}>Invite people</Link>, then come back to see how they respond.</p>
      ) : (
        <>
          <Funnel insights={figures} />
          <section aria-labelledby="time-title">
            <h2 id="time-title">Time to accept</h2>
            <dl className="facts">
              <dt>Median</dt><dd>{duration(figures.acceptSecondsMedian)}</dd>
              <dt>90th percentile</dt><dd>{duration(figures.acceptSecondsP90)}</dd>
            </dl>
            <p className="hint">From the invitation to its acceptance, over the {figures.accepted} accepted.</p>
          </section>
          <Buckets id="by-week" title="By week" what="Week" buckets={figures.byWeek} name={bucketNames.week} />
          <Buckets id="by-inviter" title="By inviter" what="Inviter" buckets={figures.byInviter} name={bucketNames.inviter} />
          <Buckets id="by-batch" title="By batch" what="Batch" buckets={figures.byBatch} name={bucketNames.batch} />
        </>
      )}
    </>
  );
}
