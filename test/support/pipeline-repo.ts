// A small git repository shaped like a kernel tree, for pipeline tests: `make defconfig` writes .config,
// `make` produces arch/x86/boot/bzImage, tools/testing/run-tests.sh writes a JSON test summary.
// BUILD_MODE (a file in the tree) makes the build fail, hang or run slowly, or the test hang.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type BuildMode = 'ok' | 'fail' | 'hang' | 'slow' | 'test-hang';

const MAKEFILE = `VERSION = 6
PATCHLEVEL = 9
SUBLEVEL = 0
EXTRAVERSION = -rc1
NAME = Test Kernel

all:
\t@test -f .config || { echo "no .config: run make defconfig first" >&2; exit 1; }
\t@if [ -n "$$KCI_TEST_MARKER" ]; then echo "build $$KCI_NODE_ID" >> "$$KCI_TEST_MARKER"; fi
\t@mode=$$(cat BUILD_MODE); \\
\tcase "$$mode" in \\
\t  fail) echo "drivers/foo.c:1: error: expected ';'" >&2; exit 2;; \\
\t  hang) exec sleep 600;; \\
\t  slow) sleep 6;; \\
\tesac
\t@mkdir -p arch/x86/boot && echo "bzImage ARCH=$(ARCH)" > arch/x86/boot/bzImage
\t@echo "  LD      arch/x86/boot/bzImage"

defconfig:
\t@echo "CONFIG_LOCALVERSION_AUTO=y" > .config
\t@echo "  GEN     .config"

.PHONY: all defconfig
`;

const RUN_TESTS = `#!/bin/sh
# Boot-style smoke test of the kernel image the parent kbuild produced.
test -s "$KCI_INPUT_DIR/kernel_image" || { echo "no kernel image" >&2; exit 1; }
grep -q bzImage "$KCI_INPUT_DIR/kernel_image" || exit 1
if [ "$(cat BUILD_MODE)" = test-hang ]; then
  [ -n "$KCI_TEST_MARKER" ] && echo "test $$" >> "$KCI_TEST_MARKER"
  exec sleep 600
fi
cat > "$KCI_RESULTS" <<JSON
{"tests": [
  {"name": "boot", "result": "pass"},
  {"name": "smoke", "tests": [{"name": "hello", "result": "pass"}, {"name": "optional", "result": "skip"}]}
]}
JSON
`;

export interface KernelRepo {
  dir: string;
  url: string;
  /** Commits a change (and optionally a new build mode); returns the new head. */
  commit(message: string, mode?: BuildMode): Promise<string>;
}

async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', [
    '-C',
    dir,
    '-c',
    'user.name=Test',
    '-c',
    'user.email=test@example.org',
    ...args,
  ]);
  return stdout.trim();
}

export async function createKernelRepo(dir: string, mode: BuildMode = 'ok'): Promise<KernelRepo> {
  await fs.mkdir(path.join(dir, 'tools', 'testing'), { recursive: true });
  await fs.writeFile(path.join(dir, 'Makefile'), MAKEFILE);
  await fs.writeFile(path.join(dir, 'tools', 'testing', 'run-tests.sh'), RUN_TESTS, { mode: 0o755 });
  await fs.writeFile(path.join(dir, 'BUILD_MODE'), `${mode}\n`);
  await fs.writeFile(path.join(dir, 'README'), 'Linux kernel (test tree)\n');
  await git(dir, 'init', '--quiet', '--initial-branch=master');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '--quiet', '-m', 'Linux 6.9-rc1');
  await git(dir, 'tag', 'v6.9-rc1');
  let n = 0;
  return {
    dir,
    url: `file://${dir}`,
    async commit(message: string, newMode?: BuildMode) {
      if (newMode) await fs.writeFile(path.join(dir, 'BUILD_MODE'), `${newMode}\n`);
      await fs.appendFile(path.join(dir, 'README'), `change ${++n}\n`);
      await git(dir, 'add', '-A');
      await git(dir, 'commit', '--quiet', '-m', message);
      return git(dir, 'rev-parse', 'HEAD');
    },
  };
}

export async function headOf(repo: KernelRepo): Promise<string> {
  return git(repo.dir, 'rev-parse', 'HEAD');
}
