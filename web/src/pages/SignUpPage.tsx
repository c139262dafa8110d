// /signup: name, email and password; then a word about the verification email, and on to ?next=.
import { useState } from 'react';
import { Page } from '../components/Page';
import { SignUpForm } from '../components/SignUpForm';
import { Link, safeNext, searchParam, useLocation } from '../router';

export function SignUpPage() {
  const location = useLocation();
  const next = safeNext(searchParam(location, 'next'));
  const [done, setDone] = useState<string | null>(null);
  if (done) {
    return (
      <Page title="Check your email">
        <p>Your account is ready. We sent a link to <strong>{done}</strong>: open it to verify your email.
          You need a verified email to invite people.</p>
        <p><Link to={next}>Continue</Link></p>
      </Page>
    );
  }
  return (
    <Page title="Sign up">
      <SignUpForm onDone={(p) => setDone(p.signUp.user.email)} />
      <p>Have an account? <Link to={`/login${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>Log in</Link>.</p>
    </Page>
  );
}
