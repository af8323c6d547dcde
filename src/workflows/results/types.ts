// Inputs and outputs of the results steps (regressions, mail, KCIDB). Pure types.

export interface RegressionRef {
  /** The regression node (new ones and fixed ones) or the flaky test node. */
  id: string;
  name: string;
  /** Path below the checkout + platform: the test's identity across revisions. */
  testKey: string;
  /** Dotted path below the checkout, e.g. `kbuild-x86.selftest.smoke.hello`. */
  testPath: string;
  platform?: string;
}

export interface RegressionSummary {
  newRegressions: RegressionRef[];
  fixed: RegressionRef[];
  flaky: RegressionRef[];
}

export interface TreeResultsInput {
  checkoutId: string;
  /** The checkout workflow's id, for links to the Temporal UI. */
  checkoutWorkflowId: string;
}

export interface MailOutcome {
  sent: boolean;
  /** Why nothing was sent: `already sent`, `no recipients`, `no SMTP server`. */
  reason?: string;
  recipients?: string[];
}

export interface KcidbOutcome {
  skipped?: string;
  objects: number;
  batches: number;
  submissionIds: string[];
  /** Whole step; reading the tree; talking to KCIDB; marking the nodes. */
  ms: number;
  readMs?: number;
  submitMs?: number;
  markMs?: number;
}

export interface TreeResultsOutcome {
  regressions: RegressionSummary;
  report: MailOutcome;
  regressionMails: number;
  kcidb: KcidbOutcome;
}
