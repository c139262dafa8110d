// API errors in words. The API's `extensions.code` picks the sentence; a page may say it its own
// way for the codes it expects (`overrides`). BAD_USER_INPUT keeps the API's own message, which
// names the field and what it wants, and so does PREVIEW_STALE, which says what changed.
import { errorCode, graphQLErrorsOf } from '@invites/client';
import type { CombinedError } from '@urql/core';
import type { InviteFailureReason, InviteStatus, DeliveryStatus } from '@invites/client';

const sentences: Record<string, string> = {
  UNAUTHENTICATED: 'You are not logged in, or your session has ended. Log in again.',
  FORBIDDEN: 'Your role in this project does not allow that.',
  NOT_FOUND: 'That does not exist any more, or you cannot see it.',
  EMAIL_TAKEN: 'An account with this email exists already. Log in instead.',
  EMAIL_MISMATCH: 'This invite was sent to another email than the one you are logged in with.',
  EMAIL_NOT_VERIFIED: 'Verify your email first: open the link we emailed you when you signed up.',
  INVALID_CREDENTIALS: 'That email and password do not match an account.',
  INVITE_EXPIRED: 'This invite has expired. Ask for a new one.',
  INVITE_NOT_PENDING: 'This invite was already accepted, declined or withdrawn.',
  ALREADY_INVITED: 'This email has a pending invite to the project already.',
  ALREADY_MEMBER: 'This email belongs to a member of the project already.',
  EXTERNAL_ID_TAKEN: 'Another member or pending invite of this project has that external ID.',
  LAST_OWNER: 'The project would have no owner: transfer ownership to an admin first.',
  RATE_LIMITED: 'Too many attempts. Wait a little, then try again.',
  EMAIL_DOMAIN_NOT_ALLOWED: 'This invite link admits only emails at some domains, and yours is not one of them.',
  PREVIEW_STALE: 'The project changed since this preview, or the preview expired. Preview again.',
};

/** The error in words, for showing next to what caused it. */
export function describeError(error: CombinedError | undefined, overrides: Record<string, string> = {}): string {
  if (!error) return '';
  const code = errorCode(error);
  if (code && overrides[code]) return overrides[code];
  if (code === 'BAD_USER_INPUT' || code === 'PREVIEW_STALE') {
    const message = graphQLErrorsOf(error)[0]?.message;
    if (message) return sentence(message);
  }
  if (code && sentences[code]) return sentences[code];
  if (!code && error.networkError) return 'The server could not be reached. Check your connection, then try again.';
  return 'Something went wrong on the server. Try again in a moment.';
}

/**
 * The reason one row of an action on many failed, in words: the sentence of its code, or the
 * API's own message where no sentence says it better.
 */
export function describeRowError(code: string | null, message: string | null): string {
  if (code && sentences[code] && code !== 'BAD_USER_INPUT') return sentences[code];
  return message ? sentence(message) : 'Something went wrong on the server. Try again in a moment.';
}

function sentence(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : t + '.';
}

export const failureReasons: Record<InviteFailureReason, string> = {
  INVALID_EMAIL: 'The email is missing or not a valid address.',
  INVALID_ROLE: 'The role is not a project role.',
  ROLE_NOT_ALLOWED: 'You may not grant that role, or change this person.',
  INVALID_EXTERNAL_ID: 'The external ID is too long or has characters that are not allowed.',
  INVALID_NAME: 'The name is too long or has characters that are not allowed.',
  DUPLICATE_EMAIL: 'An earlier row has this email.',
  DUPLICATE_EXTERNAL_ID: 'An earlier row has this external ID.',
  EXTERNAL_ID_TAKEN: 'Another member or pending invite keeps this external ID.',
  FAILED_TO_SEND: 'The invite email could not be delivered to this address.',
};

// The roles' names live with what each allows (roles.ts); pages that import them from here keep working.
export { roleNames } from './roles';

// A pending invite "awaits a response": "Pending" is a role already.
export const statusNames: Record<InviteStatus, string> = {
  PENDING: 'Awaiting response',
  ACCEPTED: 'Accepted',
  DECLINED: 'Declined',
  REVOKED: 'Revoked',
  EXPIRED: 'Expired',
};

export const deliveryNames: Record<DeliveryStatus, string> = {
  QUEUED: 'Queued',
  SENT: 'Sent',
  DELIVERED: 'Delivered',
  DEFERRED: 'Delayed, still trying',
  FAILED_RETRYABLE: 'Failed, will retry',
  FAILED_PERMANENT: 'Could not be delivered',
  BOUNCED: 'Bounced',
  COMPLAINED: 'Marked as spam',
  SUPPRESSED: 'Not sent: address suppressed',
};

/** The deliveries that reached nobody and never will: shown in red, and offered to fix. */
export const undeliverable: readonly DeliveryStatus[] = ['FAILED_PERMANENT', 'BOUNCED', 'COMPLAINED', 'SUPPRESSED'];

/** Whether an email's delivery reached nobody and never will. */
export function isUndeliverable(d: DeliveryStatus | undefined): boolean {
  return d !== undefined && undeliverable.includes(d);
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

/** A timestamp from the API, in the reader's time zone. */
export function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFormat.format(d);
}
