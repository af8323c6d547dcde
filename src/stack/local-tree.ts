// The embedded stack's local test tree: a tiny kernel-shaped git repository created on first start under
// $MAESTRO_DATA_DIR/local-tree. `make defconfig && make` produces arch/x86/boot/bzImage;
// tools/testing/run-tests.sh writes a JSON test summary. Commit to it to see a new revision go through.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const FILES: Record<string, string> = {
  Makefile: `VERSION = 6
PATCHLEVEL = 9
SUBLEVEL = 0
EXTRAVERSION =
NAME = Local Test Tree

all:
\t@test -f .config || { echo "no .config: run make defconfig first" >&2; exit 1; }
\t@mkdir -p arch/x86/boot && echo "bzImage ARCH=$(ARCH)" > arch/x86/boot/bzImage
\t@echo "  LD      arch/x86/boot/bzImage"

defconfig:
\t@echo "CONFIG_LOCALVERSION_AUTO=y" > .config
\t@echo "  GEN     .config"

.PHONY: all defconfig
`,
  'tools/testing/run-tests.sh': `#!/bin/sh
test -s "$KCI_INPUT_DIR/kernel_image" || { echo "no kernel image" >&2; exit 1; }
cat > "$KCI_RESULTS" <<JSON
{"tests": [{"name": "boot", "result": "pass"}, {"name": "smoke", "tests": [{"name": "hello", "result": "pass"}]}]}
JSON
`,
  README: 'A tiny kernel-shaped tree for the embedded Maestro stack. Commit here to trigger a revision.\n',
};

/** Creates the local tree unless it exists; returns its directory. */
export async function ensureLocalTree(dataDir: string): Promise<string> {
  const dir = path.join(dataDir, 'local-tree');
  if (
    await fs.stat(path.join(dir, '.git')).then(
      () => true,
      () => false,
    )
  )
    return dir;
  for (const [name, text] of Object.entries(FILES)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), text, { mode: name.endsWith('.sh') ? 0o755 : 0o644 });
  }
  const git = (...args: string[]) =>
    run('git', ['-C', dir, '-c', 'user.name=Maestro', '-c', 'user.email=maestro@localhost', ...args]);
  await git('init', '--quiet', '--initial-branch=master');
  await git('add', '-A');
  await git('commit', '--quiet', '-m', 'Linux 6.9');
  await git('tag', 'v6.9');
  return dir;
}
