// The source tree's shape, checked on every run: no import cycle between source files, nothing below
// the API importing from it, and workflows started only by function reference (so their arguments are
// type-checked). The import graph is read with the TypeScript parser the build already uses.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const SRC = path.join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  // Compiled paths (`../storage/index.js`, used by lazy imports) name the same source file.
  const base = path.resolve(path.dirname(from), spec.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

interface ParsedFile {
  /** Every source file this one imports, type-only imports included. */
  imports: string[];
  /** Calls that name a workflow type by a string, as `file:line: text`. */
  workflowNamesByString: string[];
}

const WORKFLOW_STARTERS = new Set(['start', 'execute', 'startChild', 'executeChild', 'signalWithStart']);

function parse(file: string): ParsedFile {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const imports: string[] = [];
  const workflowNamesByString: string[] = [];
  const where = (node: ts.Node) =>
    `${path.relative(ROOT, file)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText()}`;
  const addImport = (spec: ts.Expression | undefined) => {
    if (!spec || !ts.isStringLiteralLike(spec)) return;
    const target = resolveImport(file, spec.text);
    if (target) imports.push(target);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) addImport(node.moduleSpecifier);
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword) addImport(node.arguments[0]);
      if (ts.isIdentifier(callee) && callee.text === 'require') addImport(node.arguments[0]);
      const name = ts.isPropertyAccessExpression(callee)
        ? callee.name.text
        : ts.isIdentifier(callee)
          ? callee.text
          : '';
      if (WORKFLOW_STARTERS.has(name) && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
        workflowNamesByString.push(where(node));
      }
    }
    if (
      ts.isPropertyAssignment(node) &&
      node.name.getText() === 'workflowType' &&
      ts.isStringLiteralLike(node.initializer)
    ) {
      workflowNamesByString.push(where(node));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { imports, workflowNamesByString };
}

const graph = new Map(sourceFiles(SRC).map((f) => [f, parse(f)]));
const rel = (f: string) => path.relative(ROOT, f);

/** Strongly connected components with more than one file (or a file importing itself): Tarjan. */
function importCycles(): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (v: string) => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.imports ?? []) {
      if (!indices.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) !== indices.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(rel(w));
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.imports.includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!indices.has(v)) connect(v);
  return cycles;
}

/** Imports from src/api by modules of the domain below it, as `from → to`. */
function upwardImports(): string[] {
  const below = ['db', 'events', 'users'].map((d) => path.join(SRC, d) + path.sep);
  const api = path.join(SRC, 'api') + path.sep;
  // The event-latency benchmark drives a whole API server; it is leaving src/ for bench/.
  const benchmark = path.join(SRC, 'events', 'bench') + path.sep;
  return [...graph]
    .filter(([file]) => below.some((d) => file.startsWith(d)) && !file.startsWith(benchmark))
    .flatMap(([file, f]) =>
      f.imports.filter((i) => i.startsWith(api)).map((i) => `${rel(file)} → ${rel(i)}`),
    );
}

describe('source tree shape', () => {
  it('reads the whole tree', () => {
    expect(graph.size).toBeGreaterThan(50);
    const edges = [...graph.values()].reduce((n, f) => n + f.imports.length, 0);
    expect(edges).toBeGreaterThan(100);
  });

  it('has no import cycle between source files', () => {
    expect(importCycles()).toEqual([]);
  });

  it('keeps src/db, src/events and src/users free of imports from src/api', () => {
    expect(upwardImports()).toEqual([]);
  });

  it('starts and schedules workflows by function reference, never by a type name string', () => {
    const offending = [...graph.values()].flatMap((f) => f.workflowNamesByString);
    expect(offending).toEqual([]);
  });

  it('would see a cycle, an upward import and a workflow named by a string', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shape-'));
    try {
      const a = path.join(dir, 'a.ts');
      fs.writeFileSync(a, "import type { B } from './b';\nexport type A = B;\n");
      fs.writeFileSync(
        path.join(dir, 'b.ts'),
        "import { x } from './a';\nexport type B = string;\nclient.workflow.start('checkoutWorkflow', {});\n" +
          "const action = { workflowType: 'triggerWorkflow' };\n",
      );
      const parsedA = parse(a);
      const parsedB = parse(path.join(dir, 'b.ts'));
      expect(parsedA.imports).toEqual([path.join(dir, 'b.ts')]);
      expect(parsedB.imports).toEqual([a]);
      expect(parsedB.workflowNamesByString).toHaveLength(2);
      graph.set(a, parsedA);
      graph.set(path.join(dir, 'b.ts'), parsedB);
      expect(importCycles()).toContainEqual([rel(a), rel(path.join(dir, 'b.ts'))].sort());
      // Graph entries only: a store module that would import the API's error module.
      graph.set(path.join(SRC, 'db', 'upward.ts'), {
        imports: [path.join(SRC, 'api', 'errors.ts')],
        workflowNamesByString: [],
      });
      expect(upwardImports()).toEqual(['src/db/upward.ts → src/api/errors.ts']);
    } finally {
      graph.delete(path.join(dir, 'a.ts'));
      graph.delete(path.join(dir, 'b.ts'));
      graph.delete(path.join(SRC, 'db', 'upward.ts'));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
