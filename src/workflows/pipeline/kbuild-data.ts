// The build fields of a kbuild node (SPEC §2), from its job's parameters. Written on the kbuild node and
// inherited by the tests it schedules; pure, so the job workflow and the node-writing activity share it.
import type { JobSpec } from '../../config/scheduler';

export function kbuildData(job: JobSpec): Record<string, unknown> {
  const p = job.params;
  const fragments = Array.isArray(p.fragments) ? p.fragments.map(String) : [];
  return {
    arch: p.arch,
    defconfig: p.defconfig,
    config_full: [p.defconfig, ...fragments].join('+'),
    compiler: p.compiler ?? null,
    fragments,
  };
}
