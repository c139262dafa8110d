// API errors in words. The API's `extensions.code` picks the sentence; a page may say it its own
// way for the codes it expects (`overrides`). In the console, BAD_USER_INPUT keeps the API's own
// message, which names the field and what it wants, and so does PREVIEW_STALE, which says what
// changed. On the invitee's pages, which are translated, no English message of the API is ever
// shown: every code they can meet has a sentence in the catalogs (BAD_USER_INPUT one per field
// they have, by `extensions.field`), and any other code a generic one, in the page's language.
import { errorCode, errorField, graphQLErrorsOf } from '@invites/client';
import type { CombinedError } from '@urql/core';
import type { InviteFailureReason, InviteStatus, DeliveryStatus } from '@invites/client';
import { isInviteePath, t, type MessageId } from './i18n';

// The sentences an invitee may meet are in the catalogs (locales/), in the page's language.
const translated: Record<string, MessageId> = {
  UNAUTHENTICATED: 'error.unauthenticated',
  FORBIDDEN: 'error.forbidden',
  NOT_FOUND: 'error.notFound',
  EMAIL_TAKEN: 'error.emailTaken',
  EMAIL_MISMATCH: 'error.emailMismatch',
  EMAIL_NOT_VERIFIED: 'error.emailNotVerified',
  INVALID_CREDENTIALS: 'error.invalidCredentials',
  INVITE_EXPIRED: 'error.inviteExpired',
  INVITE_NOT_PENDING: 'error.inviteNotPending',
  RATE_LIMITED: 'error.rateLimited',
  EMAIL_DOMAIN_NOT_ALLOWED: 'error.emailDomainNotAllowed',
  APPROVAL_REQUIRED: 'error.approvalRequired',
  UNAVAILABLE: 'error.unavailable',
  DOMAIN_NOT_VERIFIED: 'error.domainNotVerified',
  FREE_EMAIL_DOMAIN: 'error.freeEmailDomain',
  JOIN_REQUEST_EXISTS: 'error.joinRequestExists',
};

// BAD_USER_INPUT on the invitee's pages, by the field at fault: the fields of their forms
// (sign-up, log-in, password reset, a request to join's message).
const invalidFields: Record<string, MessageId> = {
  email: 'error.invalidEmail',
  name: 'error.invalidName',
  password: 'error.invalidPassword',
  newPassword: 'error.invalidPassword',
  message: 'error.invalidMessage',
};

// The console's own, in English.
const sentences: Record<string, string> = {
  ALREADY_INVITED: 'This email has a pending invite to the project already.',
  ALREADY_MEMBER: 'This email belongs to a member of the project already.',
  EXTERNAL_ID_TAKEN: 'Another member or pending invite of this project has that external ID.',
  LAST_OWNER: 'The project would have no owner: transfer ownership to an admin first.',
  PREVIEW_STALE: 'The project changed since this preview, or the preview expired. Preview again.',
};

/** The error in words, for showing next to what caused it. */
export function describeError(error: CombinedError | undefined, overrides: Record<string, string> = {}): string {
  if (!error) return '';
  const code = errorCode(error);
  if (code && overrides[code]) return overrides[code];
  if (isInviteePath(window.location.pathname)) return inviteeSentence(error, code);
  if (code === 'BAD_USER_INPUT' || code === 'PREVIEW_STALE') {
    const message = graphQLErrorsOf(error)[0]?.message;
    if (message) return sentence(message);
  }
  const said = code ? sentenceOf(code) : undefined;
  if (said) return said;
  if (!code && error.networkError) return t('error.network');
  return t('error.server');
}

/** An error on an invitee's page, from the catalogs only: never the API's English. */
function inviteeSentence(error: CombinedError, code: string | undefined): string {
  if (code === 'BAD_USER_INPUT') return t(invalidFields[errorField(error) ?? ''] ?? 'error.invalidInput');
  if (code && translated[code]) return t(translated[code]);
  if (code) return t('error.refused');
  return t(error.networkError ? 'error.network' : 'error.server');
}

/**
 * The reason one row of an action on many failed, in words: the sentence of its code, or the
 * API's own message where no sentence says it better.
 */
export function describeRowError(code: string | null, message: string | null): string {
  const said = code && code !== 'BAD_USER_INPUT' ? sentenceOf(code) : undefined;
  if (said) return said;
  return message ? sentence(message) : t('error.server');
}

function sentenceOf(code: string): string | undefined {
  const id = translated[code];
  return id ? t(id) : sentences[code];
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
  EMAIL_DOMAIN_NOT_ALLOWED: 'The project takes only emails at its verified domains.',
  INVALID_LOCALE: 'The language is not a well-formed language tag (such as de or pt-BR).',
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
