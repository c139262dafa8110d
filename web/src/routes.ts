// Every page of the app and the path it answers at: the one route table. Paths are written as
// Go's ServeMux patterns are, a {name} standing for one segment, which the page gets decoded as
// a prop of that name. The server answers each of these paths with the app and every other
// path with 404: internal/webapp's Routes must list the same paths, which its test checks
// against this file.
import type { ComponentType } from 'react';
import { AccountPage } from './pages/AccountPage';
import { BulkInvitePage } from './pages/BulkInvitePage';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage';
import { HomePage } from './pages/HomePage';
import { InvitePage } from './pages/InvitePage';
import { JoinPage } from './pages/JoinPage';
import { LogInPage } from './pages/LogInPage';
import { ProjectActivityPage } from './pages/ProjectActivityPage';
import { ProjectDomainsPage } from './pages/ProjectDomainsPage';
import { ProjectInsightsPage } from './pages/ProjectInsightsPage';
import { ProjectRequestsPage } from './pages/ProjectRequestsPage';
import { ProjectInvitationsPage } from './pages/ProjectInvitationsPage';
import { ProjectLinksPage } from './pages/ProjectLinksPage';
import { ProjectMembersPage } from './pages/ProjectMembersPage';
import { ResetPasswordPage } from './pages/ResetPasswordPage';
import { SignUpPage } from './pages/SignUpPage';
import { VerifyEmailPage } from './pages/VerifyEmailPage';
import { WebhooksPage } from './pages/WebhooksPage';

/** The names of a path's {name} segments. */
type ParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamNames<Rest> : never;

/** A page's props: one string for each {name} of its path. */
type Params<P extends string> = { [K in ParamNames<P>]: string };

interface Route {
  path: string;
  pattern: RegExp;
  names: string[];
  page: ComponentType<Record<string, string>>;
}

/** A page at path; TypeScript checks that the page takes exactly the path's {names}. */
function page<P extends string>(path: P, component: ComponentType<Params<P>>): Route {
  const names: string[] = [];
  const source = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { path, pattern: new RegExp(`^${source}$`), names, page: component as unknown as ComponentType<Record<string, string>> };
}

export const routes: readonly Route[] = [
  page('/', HomePage),
  page('/login', LogInPage),
  page('/signup', SignUpPage),
  page('/invite/{token}', InvitePage),
  page('/join/{token}', JoinPage),
  page('/verify-email/{token}', VerifyEmailPage),
  page('/forgot-password', ForgotPasswordPage),
  page('/reset-password/{token}', ResetPasswordPage),
  page('/account', AccountPage),
  // A project's tabs (components/ProjectTabs.tsx); Activity and Insights have pages of their own.
  page('/projects/{id}', ProjectMembersPage),
  page('/projects/{id}/invitations', ProjectInvitationsPage),
  page('/projects/{id}/links', ProjectLinksPage),
  page('/projects/{id}/bulk', BulkInvitePage),
  page('/projects/{id}/webhooks', WebhooksPage),
  page('/projects/{id}/activity', ProjectActivityPage),
  page('/projects/{id}/insights', ProjectInsightsPage),
  page('/projects/{id}/requests', ProjectRequestsPage),
  page('/projects/{id}/domains', ProjectDomainsPage),
];

/** The page at path (no query string) and its props, or null when no page is there. */
export function pageAt(path: string): { page: ComponentType<Record<string, string>>; params: Record<string, string> } | null {
  for (const route of routes) {
    const m = path.match(route.pattern);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1]!);
    });
    return { page: route.page, params };
  }
  return null;
}
