// Any path of the app that no route names (the server answers 404 before the app sees most).
import { Page } from '../components/Page';
import { Link } from '../router';

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <p>There is no page at this address. <Link to="/">Go to the start page</Link>.</p>
    </Page>
  );
}
