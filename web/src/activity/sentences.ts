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
  /** A batch's people, listed under its line. */
  people?: string[];
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
export function lines(events: readonly ActivityEvent[]): Line[] {
  const out: Line[] = [];
  let batch: { line: Line; actor: string; at: string; first: string } | null = null;
  for (const e of events) {
    const text = sentence(e);
    if (text === null) continue;
    const invited = e.name === 'Invited to Project';
    if (invited && batch && batch.actor === (e.actor?.id ?? '') && batch.at === e.createdAt) {
      const people = batch.line.people ?? [batch.first];
      people.push(target(e));
      batch.line.people = people;
      batch.line.text = `${who(e)} invited ${people.length} people in one bulk invite`;
      continue;
    }
    const line: Line = { id: e.id, createdAt: e.createdAt, text };
    out.push(line);
    batch = invited ? { line, actor: e.actor?.id ?? '', at: e.createdAt, first: target(e) } : null;
  }
  return out;
}
