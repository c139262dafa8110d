// The other languages of an invitee's page, as links to the same page with ?lang=<tag>: the
// choice sticks for the visit (i18n.ts keeps it in sessionStorage).
import { currentLocale, languages, t } from '../i18n';
import { Link, useLocation } from '../router';

export function LanguageLinks() {
  const location = useLocation();
  const [path, search = ''] = location.split('?');
  const current = currentLocale();
  const hrefFor = (tag: string) => {
    const params = new URLSearchParams(search);
    params.set('lang', tag);
    return `${path}?${params.toString()}`;
  };
  return (
    <footer className="languages">
      <nav aria-label={t('languages.label')}>
        <ul>
          {languages.map((l) => (
            <li key={l.tag}>
              {l.tag === current
                ? <span lang={l.tag} aria-current="true">{l.name}</span>
                : <Link to={hrefFor(l.tag)} lang={l.tag} hrefLang={l.tag}>{l.name}</Link>}
            </li>
          ))}
        </ul>
      </nav>
    </footer>
  );
}
