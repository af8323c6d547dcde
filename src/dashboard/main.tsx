// The dashboard's entry: a hash router (so the server serves one index.html for every view), the page
// frame with its search box, and the views.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { NodePage } from './pages/node';
import { RevisionPage } from './pages/revision';
import { SearchPage } from './pages/search';
import { TreePage, TreesPage } from './pages/trees';
import { parseRoute, TITLES } from './routes';
import { href } from './ui';
import './style.css';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

function SearchBox({ initial }: { initial: string }) {
  const [q, setQ] = useState(initial);
  useEffect(() => setQ(initial), [initial]);
  return (
    <form
      role="search"
      class="search"
      onSubmit={(e) => {
        e.preventDefault();
        if (q.trim()) location.hash = href.search(q.trim());
      }}
    >
      <label for="search-input" class="visually-hidden">
        Search by commit, describe or node id
      </label>
      <input
        id="search-input"
        type="search"
        value={q}
        placeholder="commit, describe or node id"
        autoComplete="off"
        spellcheck={false}
        onInput={(e) => setQ((e.target as HTMLInputElement).value)}
      />
      <button type="submit">Search</button>
    </form>
  );
}

function App() {
  const route = parseRoute(useHash());
  useEffect(() => {
    // A new view starts at the top, with its own title and focus on its heading for screen readers.
    const title = route.view === 'tree' ? route.params.join('/') : TITLES[route.view];
    document.title = `${title} · Maestro results`;
    scrollTo(0, 0);
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [route.view, route.params.join('/')]);
  let view;
  switch (route.view) {
    case 'trees':
      view = <TreesPage />;
      break;
    case 'tree':
      view = <TreePage tree={route.params[0]} branch={route.params[1]} />;
      break;
    case 'revision':
      view = <RevisionPage id={route.params[0]} />;
      break;
    case 'node':
      view = <NodePage id={route.params[0]} />;
      break;
    case 'search':
      view = <SearchPage q={route.query.get('q') ?? ''} />;
      break;
    default:
      view = (
        <>
          <h1 tabIndex={-1}>Page not found</h1>
          <p>
            <a href={href.trees()}>Back to the trees</a>
          </p>
        </>
      );
  }
  return (
    <>
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
      >
        Skip to content
      </a>
      <header class="site-header">
        <nav aria-label="Main">
          <a class="brand" href={href.trees()}>
            Maestro results
          </a>
        </nav>
        <SearchBox initial={route.view === 'search' ? (route.query.get('q') ?? '') : ''} />
      </header>
      <main id="main" tabIndex={-1}>
        {view}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
