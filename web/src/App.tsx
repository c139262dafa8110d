// The app: the page that the route table (routes.ts) names for the address, in the layout.
import { Layout } from './components/Layout';
import { NotFoundPage } from './pages/NotFoundPage';
import { useLocation } from './router';
import { pageAt } from './routes';

export function App() {
  const location = useLocation();
  const path = location.split('?')[0] ?? '/';
  const found = pageAt(path);
  return <Layout path={path}>{found ? <found.page {...found.params} /> : <NotFoundPage />}</Layout>;
}
