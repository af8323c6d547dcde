// The filters measured at 1M nodes: each as the API request a client sends and the SQL a person would
// write by hand for the same answer (the raw side of the ratio), run on the same database.
export interface MeasuredQuery {
  label: string;
  /** Path and query string under /latest. */
  api: string;
  /** Raw SQL and its parameters; for /nodes both the page and the total, as the API answers both. */
  raw: { sql: string; params: unknown[] }[];
}

export interface QueryTargets {
  jobId: string;
  treeid: string;
}

const COLS = 'id, kind, name, path, parent, state, result, data, artifacts, created, updated, owner';
const page = (where: string, params: unknown[], order = 'ord', limit = 50) => [
  { sql: `SELECT ${COLS} FROM nodes WHERE ${where} ORDER BY ${order} LIMIT ${limit}`, params },
];
const count = (where: string, params: unknown[]) => [
  { sql: `SELECT count(*) FROM nodes WHERE ${where}`, params },
];

export function measuredQueries(t: QueryTargets): MeasuredQuery[] {
  const tree = "data #>> '{kernel_revision,tree}' = $1";
  return [
    {
      label: '/nodes/fast kind=test, state=done',
      api: '/nodes/fast?kind=test&state=done&limit=50',
      raw: page('kind = $1 AND state = $2', ['test', 'done']),
    },
    {
      label: '/nodes/fast kind=kbuild, tree=mainline',
      api: '/nodes/fast?kind=kbuild&data.kernel_revision.tree=mainline&limit=50',
      raw: page(`${tree} AND kind = $2`, ['mainline', 'kbuild']),
    },
    {
      label: '/nodes parent=<job> (page + total)',
      api: `/nodes?parent=${t.jobId}&limit=50`,
      raw: [...page('parent = $1', [t.jobId]), ...count('parent = $1', [t.jobId])],
    },
    {
      label: '/nodes treeid, kind=job (page + total)',
      api: `/nodes?treeid=${t.treeid}&kind=job&limit=50`,
      raw: [
        ...page('treeid = $1 AND kind = $2', [t.treeid, 'job']),
        ...count('treeid = $1 AND kind = $2', [t.treeid, 'job']),
      ],
    },
    {
      label: '/nodes kind=checkout, tree, branch, newest first (page + total)',
      api: '/nodes?kind=checkout&data.kernel_revision.tree=mainline&data.kernel_revision.branch=master&sort=-created&limit=10',
      raw: [
        ...page(
          `${tree} AND data #>> '{kernel_revision,branch}' = $2 AND kind = $3`,
          ['mainline', 'master', 'checkout'],
          'created DESC',
          10,
        ),
        ...count(`${tree} AND data #>> '{kernel_revision,branch}' = $2 AND kind = $3`, [
          'mainline',
          'master',
          'checkout',
        ]),
      ],
    },
    {
      label: '/nodes kind=job, platform, result=fail (page + total)',
      api: '/nodes?kind=job&data.platform=imx8mp-evk&result=fail&limit=50',
      raw: [
        ...page("data #>> '{platform}' = $1 AND kind = $2 AND result = $3", ['imx8mp-evk', 'job', 'fail']),
        ...count("data #>> '{platform}' = $1 AND kind = $2 AND result = $3", ['imx8mp-evk', 'job', 'fail']),
      ],
    },
    {
      label: '/nodes kind=test (page + total of ~97% of the table)',
      api: '/nodes?kind=test&limit=1',
      raw: [...page('kind = $1', ['test'], 'ord', 1), ...count('kind = $1', ['test'])],
    },
    {
      label: '/count kind=checkout',
      api: '/count?kind=checkout',
      raw: count('kind = $1', ['checkout']),
    },
    {
      label: '/count kind=kbuild, tree=mainline',
      api: '/count?kind=kbuild&data.kernel_revision.tree=mainline',
      raw: count(`${tree} AND kind = $2`, ['mainline', 'kbuild']),
    },
    {
      label: '/count kind=test, result=fail',
      api: '/count?kind=test&result=fail',
      raw: count('kind = $1 AND result = $2', ['test', 'fail']),
    },
    {
      label: '/count kind=test (~97% of the table)',
      api: '/count?kind=test',
      raw: count('kind = $1', ['test']),
    },
  ];
}
