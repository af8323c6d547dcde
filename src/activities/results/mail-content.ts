// Text and HTML of the mails: the closing report of a tree and the short mail of one new regression.
// Pure functions over plain facts, so the wording can be read and tested without a mail server.
import type { RevisionFacts } from './tree';

export interface Counts {
  pass: number;
  fail: number;
  skip: number;
  incomplete: number;
  total: number;
}

export interface FailureLine {
  kind: string;
  path: string;
  platform?: string;
  result: string;
  errorCode?: string;
  logUrl?: string;
}

export interface RegressionLine {
  path: string;
  platform?: string;
  nodeUrl: string;
  logUrl?: string;
}

export interface TreeReportFacts {
  revision: RevisionFacts;
  result: string;
  builds: Counts;
  tests: Counts;
  failures: FailureLine[];
  /** More failures than listed. */
  moreFailures: number;
  newRegressions: RegressionLine[];
  fixedRegressions: RegressionLine[];
  flaky: RegressionLine[];
  checkoutUrl: string;
  temporalUrl?: string;
}

export interface RegressionFacts {
  revision: RevisionFacts;
  lastPass: RevisionFacts;
  path: string;
  platform?: string;
  arch?: string;
  defconfig?: string;
  compiler?: string;
  errorCode?: string;
  errorMsg?: string;
  regressionUrl: string;
  failUrl: string;
  passUrl: string;
  logUrl?: string;
  temporalUrl?: string;
}

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const link = (url: string, label = url) => `<a href="${esc(url)}">${esc(label)}</a>`;
const revName = (r: RevisionFacts) => r.describe ?? r.commit.slice(0, 12);
const counts = (c: Counts) =>
  `${c.total} (${c.pass} pass, ${c.fail} fail, ${c.skip} skip, ${c.incomplete} incomplete)`;
const on = (platform?: string) => (platform ? ` on ${platform}` : '');

function revisionLines(r: RevisionFacts): [string, string][] {
  return [
    ['Tree', `${r.tree} (${r.branch})`],
    ['Describe', r.describe ?? '—'],
    ['Commit', r.commit],
    ...(r.url ? ([['URL', r.url]] as [string, string][]) : []),
  ];
}

export function treeReportMail(f: TreeReportFacts): MailContent {
  const r = f.revision;
  const subject =
    `[maestro] ${r.tree}/${r.branch} ${revName(r)}: ${f.builds.total} builds, ${f.tests.total} tests, ` +
    `${f.builds.fail + f.tests.fail} failures` +
    (f.newRegressions.length ? `, ${f.newRegressions.length} new regressions` : '');
  const regLine = (x: RegressionLine) => `  ${x.path}${on(x.platform)}  ${x.nodeUrl}`;
  const text = [
    `Revision ${revName(r)} of ${r.tree}/${r.branch} is finished (checkout ${f.result}).`,
    '',
    ...revisionLines(r).map(([k, v]) => `${k.padEnd(9)} ${v}`),
    `${'Builds'.padEnd(9)} ${counts(f.builds)}`,
    `${'Tests'.padEnd(9)} ${counts(f.tests)}`,
    '',
    `New regressions (${f.newRegressions.length}):`,
    ...(f.newRegressions.length ? f.newRegressions.map(regLine) : ['  none']),
    '',
    `Fixed regressions (${f.fixedRegressions.length}):`,
    ...(f.fixedRegressions.length ? f.fixedRegressions.map(regLine) : ['  none']),
    ...(f.flaky.length
      ? ['', `Flaky, not reported as regressions (${f.flaky.length}):`, ...f.flaky.map(regLine)]
      : []),
    '',
    `Failures (${f.failures.length + f.moreFailures}):`,
    ...(f.failures.length
      ? f.failures.map(
          (x) =>
            `  ${x.kind} ${x.path}${on(x.platform)}: ${x.result}${x.errorCode ? ` (${x.errorCode})` : ''}` +
            (x.logUrl ? `\n    log: ${x.logUrl}` : ''),
        )
      : ['  none']),
    ...(f.moreFailures ? [`  … and ${f.moreFailures} more`] : []),
    '',
    `Nodes:    ${f.checkoutUrl}`,
    ...(f.temporalUrl ? [`Workflow: ${f.temporalUrl}`] : []),
    '',
  ].join('\n');

  const row = ([k, v]: [string, string]) => `<tr><th align="left">${esc(k)}</th><td>${esc(v)}</td></tr>`;
  const regItems = (list: RegressionLine[]) =>
    list.length
      ? `<ul>${list.map((x) => `<li>${link(x.nodeUrl, x.path)}${esc(on(x.platform))}</li>`).join('')}</ul>`
      : '<p>none</p>';
  const html = [
    `<html><body>`,
    `<h2>${esc(`${r.tree}/${r.branch} ${revName(r)}`)}: ${esc(f.result)}</h2>`,
    `<table>${[...revisionLines(r), ['Builds', counts(f.builds)] as [string, string], ['Tests', counts(f.tests)] as [string, string]].map(row).join('')}</table>`,
    `<h3>New regressions (${f.newRegressions.length})</h3>${regItems(f.newRegressions)}`,
    `<h3>Fixed regressions (${f.fixedRegressions.length})</h3>${regItems(f.fixedRegressions)}`,
    ...(f.flaky.length ? [`<h3>Flaky (${f.flaky.length})</h3>${regItems(f.flaky)}`] : []),
    `<h3>Failures (${f.failures.length + f.moreFailures})</h3>`,
    f.failures.length
      ? `<ul>${f.failures
          .map(
            (x) =>
              `<li>${esc(`${x.kind} ${x.path}${on(x.platform)}: ${x.result}${x.errorCode ? ` (${x.errorCode})` : ''}`)}` +
              (x.logUrl ? ` — ${link(x.logUrl, 'log')}` : '') +
              '</li>',
          )
          .join('')}${f.moreFailures ? `<li>… and ${f.moreFailures} more</li>` : ''}</ul>`
      : '<p>none</p>',
    `<p>${link(f.checkoutUrl, 'Nodes')}${f.temporalUrl ? ` · ${link(f.temporalUrl, 'Workflow in the Temporal UI')}` : ''}</p>`,
    `</body></html>`,
  ].join('\n');
  return { subject, text, html };
}

export function regressionMail(f: RegressionFacts): MailContent {
  const r = f.revision;
  const subject = `[maestro] regression in ${r.tree}/${r.branch} ${revName(r)}: ${f.path}${on(f.platform)}`;
  const build = [f.arch, f.defconfig, f.compiler].filter(Boolean).join(' / ');
  const lines: [string, string][] = [
    ['Test', f.path],
    ['Platform', f.platform ?? '—'],
    ['Build', build || '—'],
    ['Fails on', `${revName(r)} (${r.commit})`],
    ['Passed on', `${revName(f.lastPass)} (${f.lastPass.commit})`],
    ...(f.errorCode
      ? ([['Error', `${f.errorCode}${f.errorMsg ? `: ${f.errorMsg}` : ''}`]] as [string, string][])
      : []),
  ];
  const urls: [string, string][] = [
    ['Regression', f.regressionUrl],
    ['Failing node', f.failUrl],
    ['Passing node', f.passUrl],
    ...(f.logUrl ? ([['Log', f.logUrl]] as [string, string][]) : []),
    ...(f.temporalUrl ? ([['Workflow', f.temporalUrl]] as [string, string][]) : []),
  ];
  const text = [
    `${f.path}${on(f.platform)} passed on ${revName(f.lastPass)} and fails on ${revName(r)} (${r.tree}/${r.branch}).`,
    '',
    ...lines.map(([k, v]) => `${k.padEnd(13)} ${v}`),
    '',
    ...urls.map(([k, v]) => `${k.padEnd(13)} ${v}`),
    '',
  ].join('\n');
  const html = [
    '<html><body>',
    `<p>${esc(`${f.path}${on(f.platform)}`)} passed on ${esc(revName(f.lastPass))} and fails on ${esc(revName(r))} (${esc(`${r.tree}/${r.branch}`)}).</p>`,
    `<table>${lines.map(([k, v]) => `<tr><th align="left">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`,
    `<ul>${urls.map(([k, v]) => `<li>${link(v, k)}</li>`).join('')}</ul>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
