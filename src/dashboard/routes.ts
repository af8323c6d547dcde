// The dashboard's views as hash routes (`#/revision/<id>`): one index.html serves them all.

export interface Route {
  view: 'trees' | 'tree' | 'revision' | 'node' | 'search' | 'unknown';
  params: string[];
  query: URLSearchParams;
}

const ID = '([0-9a-fA-F]{24})';

export const TITLES: Record<Route['view'], string> = {
  trees: 'Trees',
  tree: 'Tree',
  revision: 'Revision',
  node: 'Node',
  search: 'Search',
  unknown: 'Page not found',
};

export function parseRoute(hash: string): Route {
  const [path, qs] = hash.replace(/^#/, '').split('?', 2);
  const query = new URLSearchParams(qs ?? '');
  const p = path || '/';
  const patterns: [Route['view'], RegExp][] = [
    ['trees', /^\/?$/],
    ['tree', /^\/tree\/([^/]+)\/([^/]+)$/],
    ['revision', new RegExp(`^/revision/${ID}$`)],
    ['node', new RegExp(`^/node/${ID}$`)],
    ['search', /^\/search$/],
  ];
  for (const [view, re] of patterns) {
    const m = re.exec(p);
    if (m) return { view, params: m.slice(1).map(decodeURIComponent), query };
  }
  return { view: 'unknown', params: [], query };
}

/**
 * The API prefix for the page's own location: /dashboard/ and /latest/dashboard/ read /latest, /v0/dashboard/
 * reads /v0, and a reverse-proxy prefix in front of either is kept.
 */
export function apiBase(pathname: string): string {
  const m = /^(.*?)\/(?:(latest|v\d+)\/)?dashboard(?:\/|$)/.exec(pathname);
  return m ? `${m[1]}/${m[2] ?? 'latest'}` : '/latest';
}
