// Node query filters, typed values, sorting and pagination over real HTTP against the real FerretDB.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Node } from '../../src/db/nodes/types';
import { createTestUser, http, startTestApi, type TestApi } from '../support/api';

describe('node filters and pagination', () => {
  let api: TestApi;
  let checkout: Node;
  let builds: Node[];
  const q = async (query: string) => http(api, 'GET', `/latest/nodes?${query}`);
  const names = (items: Node[]) => items.map((n) => n.name).sort();

  beforeAll(async () => {
    api = await startTestApi();
    const user = await createTestUser(api);
    const actor = { id: user.id, username: user.username, groups: [], isSuperuser: false };
    checkout = await api.ctx.nodes.create(actor, {
      kind: 'checkout',
      name: 'checkout',
      data: {
        kernel_revision: {
          tree: 'mainline',
          url: 'https://git.example/linux.git',
          branch: 'master',
          commit: 'f'.repeat(40),
        },
      },
    });
    const arches = ['x86_64', 'arm64', 'arm', 'riscv', 'x86_64'];
    builds = [];
    for (let i = 0; i < 5; i++) {
      builds.push(
        await api.ctx.nodes.create(actor, {
          kind: 'kbuild',
          name: `kbuild-${i}-${arches[i]}`,
          parent: checkout.id,
          result: i === 4 ? null : i % 2 ? 'fail' : 'pass',
          state: i === 4 ? 'running' : 'done',
          retry_counter: i,
          processed_by_kcidb_bridge: i % 2 === 1,
          holdoff: i === 0 ? '2030-01-01T00:00:00Z' : null,
          data: {
            arch: arches[i],
            num: i,
            flag: i < 2,
            version: String(i),
            label: i === 3 ? 'null' : `l${i}`,
          },
        }),
      );
      await new Promise((r) => setTimeout(r, 5)); // distinct creation times
    }
  });

  const cases: [string, string, number[]][] = [
    ['equality', 'kind=kbuild', [0, 1, 2, 3, 4]],
    ['equality in data', 'data.arch=x86_64', [0, 4]],
    ['lt on a number', 'kind=kbuild&retry_counter__lt=2', [0, 1]],
    ['lte on a number', 'kind=kbuild&retry_counter__lte=2', [0, 1, 2]],
    ['gt on a number', 'retry_counter__gt=2', [3, 4]],
    ['gte on a number', 'retry_counter__gte=3', [3, 4]],
    ['range (two operators on one field)', 'retry_counter__gt=0&retry_counter__lt=3', [1, 2]],
    ['ne', 'kind=kbuild&result__ne=pass', [1, 3, 4]],
    ['re', 'name__re=^kbuild-[0-2]-', [0, 1, 2]],
    ['in (comma list)', 'data.arch__in=arm64,riscv', [1, 3]],
    ['nin (comma list)', 'kind=kbuild&data.arch__nin=arm64,riscv', [0, 2, 4]],
    ['typed null', 'kind=kbuild&result=null', [4]],
    ['ne null', 'kind=kbuild&result__ne=null', [0, 1, 2, 3]],
    ['typed true on a boolean field', 'processed_by_kcidb_bridge=true', [1, 3]],
    ['typed false on a boolean field', 'kind=kbuild&processed_by_kcidb_bridge=false', [0, 2, 4]],
    ["pydantic's True on a boolean field (upstream clients)", 'processed_by_kcidb_bridge=True', [1, 3]],
    ["pydantic's 0 on a boolean field", 'kind=kbuild&processed_by_kcidb_bridge=0', [0, 2, 4]],
    ['typed true inside data', 'data.flag=true', [0, 1]],
    ['number inside data', 'data.num=3', [3]],
    ['number comparison inside data', 'data.num__gte=3', [3, 4]],
    ['number-looking string inside data', 'data.version=2', [2]],
    ['in with numbers inside data', 'data.num__in=0,4', [0, 4]],
    ['null timestamp', 'kind=kbuild&holdoff=null', [1, 2, 3, 4]],
    ['timestamp comparison', 'holdoff__gt=2029-12-31', [0]],
  ];
  for (const [what, query, expected] of cases) {
    it(`${what}: ${query}`, async () => {
      const res = await q(query);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(names(res.body.items)).toEqual(expected.map((i) => builds[i].name).sort());
      expect(res.body.total).toBe(expected.length);
    });
  }

  it('filters by checkout tree, parent, id and id lists', async () => {
    expect((await q('data.kernel_revision.tree=mainline')).body.items.map((n: Node) => n.id)).toEqual([
      checkout.id,
    ]);
    expect((await q(`parent=${checkout.id}`)).body.total).toBe(5);
    expect((await q('parent=null')).body.items.map((n: Node) => n.id)).toEqual([checkout.id]);
    expect((await q(`id=${builds[2].id}`)).body.items[0].name).toBe(builds[2].name);
    expect(names((await q(`id__in=${builds[1].id},${builds[3].id}`)).body.items)).toEqual(
      [builds[1].name, builds[3].name].sort(),
    );
    expect((await q(`treeid=${checkout.id}`)).body.total).toBe(6);
    expect((await q('path=checkout')).body.total).toBe(6);
  });

  it('created/updated take timestamps', async () => {
    const mid = builds[2].created;
    expect(names((await q(`kind=kbuild&created__gte=${mid}`)).body.items)).toEqual(
      [2, 3, 4].map((i) => builds[i].name).sort(),
    );
    expect(names((await q(`kind=kbuild&created__lt=${mid}`)).body.items)).toEqual(
      [0, 1].map((i) => builds[i].name).sort(),
    );
    expect((await q('updated__gt=2000-01-01T00:00:00')).body.total).toBe(6);
    expect((await q(`created=${builds[1].created}`)).body.items.map((n: Node) => n.id)).toEqual([
      builds[1].id,
    ]);
  });

  it('sorts', async () => {
    const desc = await q('kind=kbuild&sort=-retry_counter');
    expect(desc.body.items.map((n: Node) => n.retry_counter)).toEqual([4, 3, 2, 1, 0]);
    const two = await q('kind=kbuild&sort=data.arch,-created');
    expect(two.body.items.map((n: Node) => n.name)).toEqual([2, 1, 3, 4, 0].map((i) => builds[i].name));
  });

  it('paginates, including the edges', async () => {
    const pages = [];
    for (const offset of [0, 2, 4]) {
      const res = await q(`kind=kbuild&sort=created&limit=2&offset=${offset}`);
      expect(res.body).toMatchObject({ total: 5, limit: 2, offset });
      pages.push(...res.body.items.map((n: Node) => n.name));
    }
    expect(pages).toEqual(builds.map((b) => b.name));
    expect((await q('kind=kbuild&offset=5')).body).toMatchObject({ items: [], total: 5, offset: 5 });
    expect((await q('kind=kbuild&offset=500')).body).toMatchObject({ items: [], total: 5 });
    expect((await q('kind=kbuild&limit=0')).body).toMatchObject({ items: [], total: 5, limit: 0 });
    expect((await q('limit=1000')).body).toMatchObject({ total: 6, limit: 1000 });
    expect((await q('')).body).toMatchObject({ total: 6, limit: 50, offset: 0 });
    for (const bad of ['limit=1001', 'limit=-1', 'limit=abc', 'offset=-1', 'offset=1.5']) {
      const res = await q(bad);
      expect(res.status, bad).toBe(400);
      expect(res.body.detail).toContain(bad.split('=')[0]);
    }
  });

  it('/nodes/fast and /count take the same filters', async () => {
    const fast = await http(api, 'GET', '/latest/nodes/fast?kind=kbuild&result=pass&sort=created');
    expect(fast.status).toBe(200);
    expect(fast.body.map((n: Node) => n.name)).toEqual([builds[0].name, builds[2].name]);
    expect((await http(api, 'GET', '/latest/nodes/fast?kind=kbuild&limit=2')).body).toHaveLength(2);
    expect((await http(api, 'GET', '/latest/count?kind=kbuild&result=pass')).body).toBe(2);
    expect((await http(api, 'GET', '/latest/count')).body).toBe(6);
    expect((await http(api, 'GET', '/latest/count?kind__like=x')).status).toBe(400);
  });

  const bad: [string, string][] = [
    ['unknown field', 'colour=red'],
    ['unknown operator', 'kind__like=kbuild'],
    ['"eq" spelled as an operator', 'kind__eq=kbuild'],
    ['$-prefixed parameter', '$where=1'],
    ['$ segment in a data path', 'data.$gt=1'],
    ['bracket operator injection', 'kind[$ne]=x'],
    ['empty data path segment', 'data..arch=x'],
    ['bad timestamp', 'created__gt=yesterday'],
    ['bad id', 'parent=xyz'],
    ['regex on an id', 'id__re=^a'],
    ['bad number', 'retry_counter=abc'],
    ['bad boolean', 'processed_by_kcidb_bridge=maybe'],
    ['invalid regex', 'name__re=('],
    ['sort on an unknown field', 'sort=password'],
    ['repeated parameter', 'kind=kbuild&kind=job'],
    ['malformed UTF-8', 'name=%ff%fe'],
  ];
  for (const [what, query] of bad) {
    it(`400 for ${what}: ${query}`, async () => {
      const res = await q(query);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      const param = decodeURIComponent(query.split('=')[0]);
      expect(res.body.detail).toContain(what === 'sort on an unknown field' ? 'sort' : param);
    });
  }

  it('values never become operators', async () => {
    for (const value of ['{"$ne":null}', '$ne', '{"$gt":""}']) {
      const res = await q(`kind=${encodeURIComponent(value)}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(0);
    }
    const label = await q('data.label=null');
    // "null" is typed: it matches nodes whose label is null or missing (the checkout), not the string.
    expect(label.body.items.map((n: Node) => n.id)).toEqual([checkout.id]);
  });
});
