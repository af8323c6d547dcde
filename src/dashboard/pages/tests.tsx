// Test results of a revision grouped by job and platform: one row group per job node, its test nodes
// below it (found by walking parent links up to the job, so nested test groups land in their job).
import type { Node } from '../api';
import { groupTestsByJob, tally } from '../grouping';
import { href, LogLink, nodeDuration, ResultBadge, StateBadge, TableWrap } from '../ui';

export function TestGroups({ jobs, tests, builds }: { jobs: Node[]; tests: Node[]; builds: Node[] }) {
  const groups = groupTestsByJob(jobs, tests);
  const buildName = new Map(builds.map((b) => [b.id, b.name]));
  const sorted = [...jobs].sort(
    (a, b) =>
      a.name.localeCompare(b.name) || String(a.data?.platform).localeCompare(String(b.data?.platform)),
  );
  return (
    <TableWrap label="Tests by job and platform">
      <table class="tests">
        <thead>
          <tr>
            <th scope="col">Job / test</th>
            <th scope="col">Result</th>
            <th scope="col">State</th>
            <th scope="col">Platform</th>
            <th scope="col">Build</th>
            <th scope="col">Duration</th>
            <th scope="col">Log</th>
          </tr>
        </thead>
        {sorted.map((job) => {
          const list = groups.get(job.id) ?? [];
          const c = tally(list);
          const depth = job.path.length;
          return (
            <tbody key={job.id} data-job={job.name} data-platform={job.data?.platform}>
              <tr class="job-row">
                <th scope="rowgroup">
                  <a href={href.node(job.id)}>{job.name}</a>
                  {list.length > 0 && (
                    <div class="small counts" aria-label={`${c.pass} pass, ${c.fail} fail, ${c.skip} skip`}>
                      <span class="count-pass">{c.pass} pass</span> ·{' '}
                      <span class="count-fail">{c.fail} fail</span> · {c.skip} skip
                      {c.incomplete ? ` · ${c.incomplete} incomplete` : ''}
                    </div>
                  )}
                </th>
                <td>
                  <ResultBadge result={job.result} state={job.state} />
                  {job.data?.error_code && <div class="small error-code">{job.data.error_code}</div>}
                </td>
                <td>
                  <StateBadge state={job.state} />
                </td>
                <td>{job.data?.platform ?? '—'}</td>
                <td>{(job.parent && buildName.get(job.parent)) ?? job.data?.defconfig ?? '—'}</td>
                <td>{nodeDuration(job)}</td>
                <td>
                  <LogLink node={job} />
                </td>
              </tr>
              {list.map((t) => (
                <tr key={t.id} class="test-row" data-test={t.path.slice(depth).join('.')}>
                  <td style={{ paddingLeft: `${0.75 + (t.path.length - depth) * 1}rem` }}>
                    <a href={href.node(t.id)}>{t.path.slice(depth).join('.') || t.name}</a>
                  </td>
                  <td>
                    <ResultBadge result={t.result} state={t.state} />
                  </td>
                  <td colSpan={5} />
                </tr>
              ))}
            </tbody>
          );
        })}
      </table>
    </TableWrap>
  );
}
