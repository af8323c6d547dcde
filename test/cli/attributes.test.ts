import { describe, expect, it } from 'vitest';
import { attributesToFilters, parseAttribute } from '../../src/cli/attributes';
import { CliError } from '../../src/cli/errors';
import { queryString } from '../../src/client/api-client';

describe('kci attribute syntax', () => {
  it.each([
    ['kind=test', { key: 'kind', op: null, value: 'test' }],
    ['created>2026-01-01', { key: 'created', op: 'gt', value: '2026-01-01' }],
    ['created<2026-01-01', { key: 'created', op: 'lt', value: '2026-01-01' }],
    ['retry_counter>=2', { key: 'retry_counter', op: 'gte', value: '2' }],
    ['retry_counter<=2', { key: 'retry_counter', op: 'lte', value: '2' }],
    ['result!=pass', { key: 'result', op: 'ne', value: 'pass' }],
    ['name=~^baseline-.*$', { key: 'name', op: 're', value: '^baseline-.*$' }],
    ['data.kernel_revision.tree=mainline', { key: 'data.kernel_revision.tree', op: null, value: 'mainline' }],
    ['kind__in=kbuild,job', { key: 'kind', op: 'in', value: 'kbuild,job' }],
    ['name=a=b', { key: 'name', op: null, value: 'a=b' }],
    ['parent=null', { key: 'parent', op: null, value: 'null' }],
  ])('%s', (text, expected) => {
    expect(parseAttribute(text)).toEqual(expected);
  });

  it('builds API filters with field__op names', () => {
    expect(
      attributesToFilters([
        'kind=test',
        'created>=2026-01-01',
        'created<2026-02-01',
        'data.arch!=arm64',
        'name=~^x',
      ]),
    ).toEqual({
      kind: 'test',
      created__gte: '2026-01-01',
      created__lt: '2026-02-01',
      'data.arch__ne': 'arm64',
      name__re: '^x',
    });
  });

  it.each([
    ['kind', 'invalid attribute "kind": expected key=value'],
    ['=test', 'invalid attribute "=test"'],
    ['kind__like=x', 'unknown operator "__like" in "kind__like=x"'],
    ['kind__in>x', 'use either key__op=value or an operator symbol'],
    ['$where=1', 'invalid attribute name "$where"'],
    ['created>', 'attribute "created>" has no value'],
  ])('rejects %s', (text, message) => {
    expect(() => parseAttribute(text)).toThrow(CliError);
    expect(() => parseAttribute(text)).toThrow(message);
  });

  it('rejects the same filter twice', () => {
    expect(() => attributesToFilters(['kind=test', 'kind=job'])).toThrow(
      'attribute "kind" given more than once',
    );
  });

  it('encodes filters into a query string', () => {
    expect(
      queryString({
        kind: 'test',
        parent: null,
        kind__in: ['a', 'b'],
        limit: 5,
        skip: undefined,
        'data.arch': 'x86_64',
      }),
    ).toBe('?kind=test&parent=null&kind__in=a%2Cb&limit=5&data.arch=x86_64');
    expect(queryString({})).toBe('');
  });
});
