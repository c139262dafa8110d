// /login: email and password; then back to the page that sent the visitor here (?next=).
import { LogInForm } from '../components/LogInForm';
import { Page } from '../components/Page';
import { Link, navigate, safeNext, searchParam, useLocation } from '../router';

export function LogInPage() {
  const location = useLocation();
  const next = safeNext(searchParam(location, 'next'));
  return (
    <Page title="Log in">
      <LogInForm onDone={() => navigate(next)} />
      <p><Link to="/forgot-password">Forgot your password?</Link></p>
      <p>No account yet? <Link to={`/signup${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>Sign up</Link>.</p>
    </Page>
  );
}
