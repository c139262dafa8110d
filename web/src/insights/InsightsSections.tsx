// The insights' sections, each a chart with its numbers in a table: the funnel, and the counts
// by week, by inviter and by batch.
import { BarChart } from '../components/BarChart';
import { TableFrame } from '../components/TableFrame';
import { batchName, percent, weekName, type Bucket, type Insights } from './figures';

const colors = { sent: '#0b5cad', opened: '#6a3d9a', accepted: '#1b7f3b', other: '#8a5a00', failed: '#a4161a' };

export function Funnel({ insights: i }: { insights: Insights }) {
  const steps: [string, number, string][] = [
    ['Sent', i.sent, colors.sent], ['Delivered', i.delivered, colors.sent], ['Opened', i.opened, colors.opened], ['Accepted', i.accepted, colors.accepted],
    ['Declined', i.declined, colors.other], ['Expired', i.expired, colors.other], ['Failed', i.failed, colors.failed],
  ];
  const label = `Invitation funnel: ${steps.map(([name, n]) => `${n} ${name.toLowerCase()}`).join(', ')}`;
  return (
    <section aria-labelledby="funnel-title">
      <h2 id="funnel-title">Funnel</h2>
      <p className="hint">Sent, delivered, opened and accepted, with declined, expired and failed beside. Each invitation counts once, by where it stands now.</p>
      <BarChart label={label} horizontal labels={steps.map(([name]) => name)}
        series={[{ label: 'Invitations', values: steps.map(([, n]) => n), color: steps.map(([, , c]) => c) }]} />
      <TableFrame label="Funnel in numbers">
        <table>
          <thead><tr><th scope="col">Step</th><th scope="col">Invitations</th><th scope="col">Of sent</th></tr></thead>
          <tbody>
            {steps.map(([name, n]) => (
              <tr key={name}><th scope="row">{name}</th><td>{n}</td><td>{percent(n, i.sent)}</td></tr>
            ))}
          </tbody>
        </table>
      </TableFrame>
    </section>
  );
}

/** The counts by week, inviter or batch, as grouped bars and a table. */
export function Buckets({ id, title, what, buckets, name }: {
  id: string;
  title: string;
  /** The first column's heading: "Week", "Inviter", "Batch". */
  what: string;
  buckets: Bucket[];
  name: (b: Bucket) => string;
}) {
  if (buckets.length === 0) {
    return (
      <section aria-labelledby={id}>
        <h2 id={id}>{title}</h2>
        <p>Nothing to show yet.</p>
      </section>
    );
  }
  const labels = buckets.map(name);
  const label = `${title}: ${buckets.map((b, n) => `${labels[n]}: ${b.sent} sent, ${b.opened} opened, ${b.accepted} accepted`).join('; ')}`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <BarChart label={label} labels={labels} series={[
        { label: 'Sent', values: buckets.map((b) => b.sent), color: colors.sent },
        { label: 'Opened', values: buckets.map((b) => b.opened), color: colors.opened },
        { label: 'Accepted', values: buckets.map((b) => b.accepted), color: colors.accepted },
      ]} />
      <TableFrame label={`${title} in numbers`}>
        <table>
          <thead><tr><th scope="col">{what}</th><th scope="col">Sent</th><th scope="col">Opened</th><th scope="col">Accepted</th><th scope="col">Accepted of sent</th></tr></thead>
          <tbody>
            {buckets.map((b, n) => (
              <tr key={`${labels[n]}-${n}`}><th scope="row">{labels[n]}</th><td>{b.sent}</td><td>{b.opened}</td><td>{b.accepted}</td><td>{percent(b.accepted, b.sent)}</td></tr>
            ))}
          </tbody>
        </table>
      </TableFrame>
    </section>
  );
}

export const bucketNames = {
  week: weekName,
  inviter: (b: Bucket) => b.inviter?.name ?? 'Someone no longer here',
  batch: (b: Bucket) => batchName({ start: b.start ?? null, inviter: b.inviter ?? null }),
};
