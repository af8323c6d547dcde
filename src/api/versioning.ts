// Every route is served under /latest and /v0; a path without a version prefix means /latest.

export const API_VERSIONS = ['latest', 'v0'] as const;

/** Path the router sees for an incoming URL; unknown /vN versions go to a route that answers 400. */
export function rewriteVersionedUrl(url: string): string {
  const m = /^\/(latest|v\d+)(?=\/|\?|$)/.exec(url);
  if (!m) return `/latest${url === '/' ? '/' : url}`;
  if ((API_VERSIONS as readonly string[]).includes(m[1])) return url;
  return `/__unknown_version/${m[1]}`;
}
