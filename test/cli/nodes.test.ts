// kci node commands, run as the built binary against a real API over HTTP.
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/stack/ports';
import { createTestUser, startTestApi, type TestApi } from '../support/api';
import { uniqueSuffix } from '../support/harness';
import { ensureCliBuilt, json, kciRunner, type Kci } from './kci';

describe('kci node', () => {
  let api: TestApi;
  let kci: Kci;
  let checkoutId: string;
  const tree = `tree-${uniqueSuffix()}`;

  beforeAll(async () => {
    ensureCliBuilt();
    api = await startTestApi();
    const user = await createTestUser(api);
    kci = kciRunner({ KCI_API_URL: `${api.url}/latest`, KCI_API_TOKEN: user.token });
  });

  it('submit creates a node; get prints it', async () => {
    const checkout = {
      kind: 'checkout',
      name: 'checkout',
      path: ['checkout'],
      data: {
        kernel_revision: {
          tree,
          branch: 'master',
          url: 'https://git.example/linux.git',
          commit: 'a'.repeat(40),
        },
      },
    };
    const created = await kci(['node', 'submit', kci.file('checkout.json', checkout), '--json']);
    expect(created.stderr).toBe('');
    const node = JSON.parse(created.stdout);
    expect(node).toMatchObject({ kind: 'checkout', name: 'checkout', state: 'running', result: null });
    checkoutId = node.id;

    const human = await kci(['node', 'submit', '-'], {
      input: JSON.stringify({ ...checkout, name: 'other-checkout' }),
    });
    expect(human.stdout).toMatch(/^created checkout other-checkout [0-9a-f]{24}\n$/);

    expect(json(await kci(['node', 'get', checkoutId, '--json']))).toEqual(node);
    const fields = await kci(['node', 'get', checkoutId]);
    expect(fields.stdout).toMatch(new RegExp(`^id\\s+${checkoutId}$`, 'm'));
    expect(fields.stdout).toMatch(/^state\s+running$/m);
  });

  it('submit-hierarchy creates a tree under the node; tree draws it', async () => {
    const kbuild = (name: string, arch: string, retry: number, result: string) => ({
      node: {
        kind: 'kbuild',
        name,
        state: 'done',
        result,
        retry_counter: retry,
        data: { arch, defconfig: 'defconfig', compiler: 'gcc-12' },
      },
      child_nodes: [{ node: { kind: 'test', name: `boot-${arch}`, state: 'done', result }, child_nodes: [] }],
    });
    const hierarchy = {
      node: { state: 'available' },
      child_nodes: [
        kbuild('kbuild-gcc-12-x86', 'x86_64', 0, 'pass'),
        kbuild('kbuild-gcc-12-arm64', 'arm64', 1, 'fail'),
        kbuild('kbuild-clang-riscv', 'riscv', 2, 'pass'),
      ],
    };
    const res = await kci([
      'node',
      'submit-hierarchy',
      checkoutId,
      kci.file('tree.json', hierarchy),
      '--json',
    ]);
    expect(res.stderr).toBe('');
    const stored = JSON.parse(res.stdout);
    expect(stored.length).toBe(7);

    const drawn = await kci(['node', 'tree', checkoutId]);
    expect(drawn.stderr).toBe('');
    const lines = drawn.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`checkout checkout available - ${checkoutId}`);
    expect(lines).toHaveLength(7);
    expect(lines[1]).toMatch(/^├─ kbuild kbuild-gcc-12-x86 done pass [0-9a-f]{24}$/);
    expect(lines[2]).toMatch(/^│ {2}└─ test boot-x86_64 done pass [0-9a-f]{24}$/);
    expect(lines[5]).toMatch(/^└─ kbuild kbuild-clang-riscv done pass /);
    expect(lines[6]).toMatch(/^ {3}└─ test boot-riscv done pass /);

    const asJson = json(await kci(['node', 'tree', checkoutId, '--json']));
    expect(asJson.node.id).toBe(checkoutId);
    expect(asJson.child_nodes.map((c: { node: { name: string } }) => c.node.name)).toEqual([
      'kbuild-gcc-12-x86',
      'kbuild-gcc-12-arm64',
      'kbuild-clang-riscv',
    ]);
  });

  it('find and count with every attribute operator', async () => {
    const names = async (...attrs: string[]) =>
      json(await kci(['node', 'find', `parent=${checkoutId}`, ...attrs, '-l', '100', '--json']))
        .items.map((n: { name: string }) => n.name)
        .sort();
    const count = async (...attrs: string[]) =>
      Number((await kci(['node', 'count', `parent=${checkoutId}`, ...attrs])).stdout);

    expect(await names('data.arch=arm64')).toEqual(['kbuild-gcc-12-arm64']);
    // Pairs of bounds: a bound that was ignored or parsed as another operator changes the answer.
    expect(await names('retry_counter>0', 'retry_counter<2')).toEqual(['kbuild-gcc-12-arm64']);
    expect(await names('retry_counter>=1', 'retry_counter<=1')).toEqual(['kbuild-gcc-12-arm64']);
    expect(await names('retry_counter>=0', 'retry_counter<1')).toEqual(['kbuild-gcc-12-x86']);
    expect(await names('result!=pass')).toEqual(['kbuild-gcc-12-arm64']);
    expect(await names('name=~^kbuild-gcc', 'data.arch__in=riscv,x86_64')).toEqual(['kbuild-gcc-12-x86']);
    expect(await names('created>=2000-01-01', 'created<2999-01-01')).toHaveLength(3);
    expect(json(await kci(['node', 'find', `data.kernel_revision.tree=${tree}`, '--json'])).total).toBe(2);

    expect(await count()).toBe(3);
    expect(await count('retry_counter>0', 'result!=fail')).toBe(1);
    expect((await kci(['node', 'count', 'kind=test', `name=~^boot-`, '--json'])).stdout).toBe('3\n');
  });

  it('paging with -l/-n and a sorted human table', async () => {
    const page = json(
      await kci(['node', 'find', `parent=${checkoutId}`, '-l', '1', '-n', '1', '-s', 'name', '--json']),
    );
    expect(page).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(page.items.map((n: { name: string }) => n.name)).toEqual(['kbuild-gcc-12-arm64']);

    const table = await kci([
      'node',
      'find',
      `parent=${checkoutId}`,
      '--limit',
      '2',
      '--offset',
      '0',
      '--sort',
      '-name',
    ]);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+KIND\s+NAME\s+STATE\s+RESULT\s+CREATED$/);
    expect(lines[1]).toMatch(/^[0-9a-f]{24}\s+kbuild\s+kbuild-gcc-12-x86\s+done\s+pass\s+\d{4}-/);
    expect(lines[2]).toMatch(/kbuild-gcc-12-arm64\s+done\s+fail/);
    expect(lines[3]).toBe('1-2 of 3');
  });

  it('submit with an id replaces the node; a bad transition is the API message and exit code 1', async () => {
    const node = json(await kci(['node', 'get', checkoutId, '--json']));
    const updated = await kci(['node', 'submit', '-', '--json'], {
      input: JSON.stringify({ ...node, state: 'done', result: 'pass' }),
    });
    expect(updated.stderr).toBe('');
    expect(JSON.parse(updated.stdout)).toMatchObject({ id: checkoutId, state: 'done', result: 'pass' });

    const back = await kci(['node', 'submit', '-'], { input: JSON.stringify({ ...node, state: 'running' }) });
    expect(back.code).toBe(1);
    expect(back.stdout).toBe('');
    expect(back.stderr).toMatch(/^kci: error: .*"done".*"running".* \(HTTP 400\)\n$/);
  });

  it('errors: unknown node, bad attribute syntax, unknown filter field', async () => {
    const missing = await kci(['node', 'get', 'f'.repeat(24)]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^kci: error: .+ \(HTTP 404\)\n$/);

    const syntax = await kci(['node', 'find', 'kind']);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toBe(
      'kci: error: invalid attribute "kind": expected key=value, key>value, key<value, key>=value, key<=value, key!=value or key=~regex\n',
    );

    const field = await kci(['node', 'count', 'colour=red']);
    expect(field.code).toBe(1);
    expect(field.stderr).toBe('kci: error: colour: unknown filter field "colour" (HTTP 400)\n');

    const port = await freePort();
    const down = await kci(['node', 'get', 'f'.repeat(24)], {
      env: { KCI_API_URL: `http://127.0.0.1:${port}/latest` },
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(`kci: error: cannot reach http://127.0.0.1:${port}/latest: ECONNREFUSED\n`);

    const unauth = await kci(['node', 'submit', kci.file('n.json', { kind: 'checkout', name: 'x' })], {
      env: { KCI_API_TOKEN: '' },
    });
    expect(unauth.code).toBe(1);
    expect(unauth.stderr).toMatch(/^kci: error: not logged in/);
  });
});
