// What a page says about its own state: an error, or that it waits for the API.
import type { ReactNode } from 'react';
import { t } from '../i18n';

/** An error in words, read out when it appears; id lets the control it concerns point at it. */
export function ErrorText({ id, children }: { id?: string; children: ReactNode }) {
  if (!children) return null;
  return <p id={id} className="error" role="alert">{children}</p>;
}

/** Shown while a page waits for the API. */
export function Loading() {
  return <p role="status">{t('status.loading')}</p>;
}
