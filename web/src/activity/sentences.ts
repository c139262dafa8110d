// The project's tracked events as sentences, one line per action: an invitation's four events
// read as "Ada invited bob@example.com as Contributor", the events of one bulk invite (one
// actor, one instant) as "Ada invited 189 people in one bulk invite", a claim and its join as
// "Bob accepted the invitation and joined as Contributor".
import type { ProjectActivityQuery, ProjectRole } from '@invites/client';
import { roleNames } from '../roles';

export type ActivityEvent = NonNullable<ProjectActivityQuery['project']>['activity']['edges'][number]['node'];

export interface Line {
  /** The first event's ID: the line's key. */
  id: string;
  createdAt: string;
  text: string;
  /** A batch's people (those of the events loaded), listed under its line. */
  people?: string[];
  /** How many people a bulk invite's line counts: more than people while some are not loaded. */
  size?: number;
}

/** How many invitations the bulk invite sent by actorId at createdAt made, where one did. */
export type BatchSize = (actorId: string, createdAt: string) => number | undefined;

/** The batches' sizes (the insights' byBatch), by their inviter and when they were sent. */
export function batchSizes(batches: readonly { start: string | null; inviter: { id: string } | null; sent: number }[]): BatchSize {
  const sizes = new Map<string, number>();
  for (const b of batches) if (b.start && b.inviter) sizes.set(`${b.inviter.id} ${Date.parse(b.start)}`, b.sent);
  return (actorId, createdAt) => sizes.get(`${actorId} ${Date.parse(createdAt)}`);
}

/** Events that say again what another event of the same action says. */
const echoes = new Set(['Created User Invite', 'User Invited', 'Invited to Project (Invitee)', 'Joined Project']);

/** Who did it: the actor's name, or the event's email where nobody signed in did it. */
function who(e: ActivityEvent): string {
  return e.actor?.name || e.email || 'Someone';
}

function role(r: ProjectRole | null | undefined): string {
  return r ? roleNames[r] : 'a member';
}

function target(e: ActivityEvent): string {
  return e.email || e.invite?.email || 'someone';
}

/** One event's sentence, or null for an event that another of its action says already. */
export function sentence(e: ActivityEvent): string | null {
  if (echoes.has(e.name)) return null;
  switch (e.name) {
    case 'Invited to Project': return `${who(e)} invited ${target(e)} as ${role(e.invite?.role)}`;
    case 'Claimed User Invite': return `${who(e)} accepted the invitation and joined as ${role(e.invite?.role)}`;
    case 'Declined User Invite': return `${target(e)} declined the invitation`;
    case 'Revoked User Invite': return e.actor ? `${who(e)} revoked the invitation to ${target(e)}` : `The invitation to ${target(e)} was withdrawn`;
    case 'Resent User Invite': return `${who(e)} sent the invitation to ${target(e)} again`;
    case 'Reminded User Invite': return `A reminder went to ${target(e)}`;
    case 'Expired User Invite': return `The invitation to ${target(e)} expired`;
    case 'Updated Member': return `${who(e)} changed ${target(e)}'s membership`;
    case 'Removed Member': return `${who(e)} removed ${target(e)} from the project`;
    case 'Left Project': return `${who(e)} left the project`;
    case 'Transferred Ownership': return `${who(e)} made ${target(e)} the owner`;
    case 'Created Invite Link': return `${who(e)} made an invite link`;
    case 'Joined with Invite Link': return `${who(e)} joined through an invite link`;
    case 'Revoked Invite Link': return `${who(e)} withdrew an invite link`;
    default: return `${who(e)}: ${e.name}`;
  }
}

/** The events (newest first) as lines: a bulk invite's invitations (one actor, one instant)
 * become one line that names how many people it invited. */
export function lines(events: readonly ActivityEvent[], batchSize: BatchSize = () => undefined): Line[] {
  const out: Line[] = [];
  let batch: { line: Line; actor: string; at: string } | null = null;
  for (const e of events) {
    let text = sentence(e);
    if (text === null) continue;
    const invited = e.name === 'Invited to Project';
    const actor = e.actor?.id ?? '';
    if (invited && batch && batch.actor === actor && batch.at === e.createdAt) {
      const people = batch.line.people!;
      people.push(target(e));
      batch.line.size = Math.max(people.length, batchSize(actor, e.createdAt) ?? 0);
      batch.line.text = bulkSentence(e, batch.line.size);
      continue;
    }
    // A bulk invite's size, where the API knows it, even while only some of its events are loaded.
    const size = invited ? batchSize(actor, e.createdAt) : undefined;
    if (size !== undefined && size > 1) text = bulkSentence(e, size);
    const line: Line = { id: e.id, createdAt: e.createdAt, text, size };
    out.push(line);
    if (invited) {
      line.people = [target(e)];
      batch = { line, actor, at: e.createdAt };
    } else {
      batch = null;
    }
  }
  // A line of one invitation names its person already.
  for (const l of out) if (!l.size || l.size < 2) delete l.people;
  return out;
}

function bulkSentence(e: ActivityEvent, size: number): string {
  return `${who(e)} invited ${size} people in one bulk invite`;
}
