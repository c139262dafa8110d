// Any path of the app that no route names: the server answers such a path, opened in a browser,
// with the app and status 404 (internal/webapp), so this page says so in the app's own words.
import { Page } from '../components/Page';
import { Link } from '../router';

export function NotFoundPage() {
  return (
    <Page card title="Page not found">
      <p>There is no page at this address. The link may be cut short or mistyped, or the page may have moved.</p>
      <p className="actions"><Link to="/" className="button">Go to the start page</Link></p>
    </Page>
  );
}
