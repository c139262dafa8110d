// The project's tracked events as sentences, one line per action: an invitation's four events
// read as "Ada invited bob@example.com as Contributor"; a bulk invite (its own "Bulk Invited"
// event, with the invitations' events of the same actor and instant) as "Ada invited 189 people
// from people.csv", its people under it; a claim and its join as "Bob accepted the invitation
// and joined as Contributor".
import type { ProjectActivityQuery, ProjectRole } from '@invites/client';
import { roleNames } from '../roles';

export type ActivityEvent = NonNullable<ProjectActivityQuery['project']>['activity']['edges'][number]['node'];

export interface Line {
  /** The first event's ID: the line's key. */
  id: string;
  createdAt: string;
  text: string;
  /** A bulk invite's people (those of the events loaded), listed under its line. */
  people?: string[];
  /** How many people a bulk invite's line counts: more than people while some are not loaded. */
  size?: number;
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
    case 'Bulk Invited': return bulkSentence(e, e.invitations ?? 0);
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
    case 'Joined with Invite Link': return `${who(e)} joined ${e.role ? `as ${roleNames[e.role]} ` : ''}through an invite link`;
    case 'Revoked Invite Link': return `${who(e)} withdrew an invite link`;
    case 'Delivered User Invite': return `The invitation to ${target(e)} was delivered`;
    case 'Bounced User Invite': return `The invitation to ${target(e)} bounced${e.detail ? `: ${e.detail}` : ''}`;
    case 'Complained User Invite': return `${target(e)} marked the invitation as spam${e.detail ? `: ${e.detail}` : ''}`;
    case 'Updated User Invite': return `${who(e)} changed the invitation to ${target(e)}${e.detail ? ` (before: ${e.detail})` : ''}`;
    case 'Lifted Suppression': return `${who(e)} let ${target(e)} be sent to again`;
    default: return `${who(e)}: ${e.name}`;
  }
}

function bulkSentence(e: ActivityEvent, size: number): string {
  const people = size === 1 ? '1 person' : `${size} people`;
  return `${who(e)} invited ${people} ${e.fileName ? `from ${e.fileName}` : 'in one bulk invite'}`;
}

/** The events (newest first) as lines: a bulk invite's invitations (one actor, one instant)
 * join its line, wherever its own event comes among them, or, for a batch without its own
 * event, become one line of their own. */
export function lines(events: readonly ActivityEvent[]): Line[] {
  const keyOf = (e: ActivityEvent) => `${e.actor?.id ?? ''} ${Date.parse(e.createdAt)}`;
  const bulkEvents = new Map(events.filter((e) => e.name === 'Bulk Invited').map((e) => [keyOf(e), e]));
  const out: Line[] = [];
  // The bulk invites' lines by actor and instant, which their invitations join.
  const batches = new Map<string, { line: Line; known: boolean; first: ActivityEvent }>();
  const start = (e: ActivityEvent, text: string): Line => {
    const line: Line = { id: e.id, createdAt: e.createdAt, text };
    out.push(line);
    return line;
  };
  for (const e of events) {
    const text = sentence(e);
    if (text === null) continue;
    const key = keyOf(e);
    if (e.name === 'Bulk Invited') {
      if (batches.has(key)) continue; // its invitations came first and made its line
      const line = start(e, text);
      line.size = e.invitations ?? 0;
      batches.set(key, { line, known: true, first: e });
      continue;
    }
    if (e.name !== 'Invited to Project') {
      start(e, text);
      continue;
    }
    let batch = batches.get(key);
    if (!batch) {
      const bulk = bulkEvents.get(key);
      const line = start(bulk ?? e, bulk ? sentence(bulk)! : text);
      batch = { line, known: !!bulk, first: bulk ?? e };
      if (bulk) line.size = bulk.invitations ?? 0;
      batches.set(key, batch);
    }
    const people = (batch.line.people ??= []);
    people.push(target(e));
    if (!batch.known) {
      batch.line.size = people.length;
      batch.line.text = people.length > 1 ? bulkSentence(batch.first, people.length) : text;
    }
  }
  // A line of one invitation sent on its own names its person already.
  for (const { line, known } of batches.values()) if (!known && (line.size ?? 0) < 2) delete line.people;
  return out;
}
