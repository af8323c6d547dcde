// Printing: JSON for scripts, aligned tables and colours (TTY only, via picocolors) for people.
import pc from 'picocolors';
import type { Node } from '../db/nodes/types';

/** picocolors enables colours only on a TTY (and honours NO_COLOR / FORCE_COLOR). */
export const colors = pc;

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** One compact JSON document per line (JSON lines). */
export function printJsonLine(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

export function printLine(text = ''): void {
  process.stdout.write(text + '\n');
}

// eslint-disable-next-line no-control-regex -- matching ANSI colour codes is the point
const ANSI = /\x1b\[[0-9;]*m/g;

export function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

/** An aligned table with a bold header row. */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - visibleLength(c))))
      .join('  ')
      .trimEnd();
  printLine(colors.bold(line(headers)));
  for (const row of rows) printLine(line(row));
}

/** `key  value` lines for one object. */
export function formatFields(fields: Array<[string, unknown]>): string[] {
  const width = Math.max(...fields.map(([k]) => k.length));
  return fields.map(([key, value]) => {
    const text =
      value === null || value === undefined
        ? colors.dim('-')
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
    return `${colors.bold(key.padEnd(width))}  ${text}`;
  });
}

export function printFields(fields: Array<[string, unknown]>): void {
  for (const line of formatFields(fields)) printLine(line);
}

export function colorState(state: string | null | undefined): string {
  switch (state) {
    case 'running':
      return colors.yellow(state);
    case 'available':
      return colors.blue(state);
    case 'closing':
      return colors.magenta(state);
    case 'done':
      return colors.dim(state);
    default:
      return state ?? colors.dim('-');
  }
}

export function colorResult(result: string | null | undefined): string {
  switch (result) {
    case 'pass':
      return colors.green(result);
    case 'fail':
      return colors.red(result);
    case 'incomplete':
      return colors.yellow(result);
    case 'skip':
      return colors.gray(result);
    default:
      return colors.dim(result ?? '-');
  }
}

export function colorKind(kind: string): string {
  return colors.cyan(kind);
}

export function nodeRow(node: Node): string[] {
  return [
    node.id,
    colorKind(node.kind),
    node.name,
    colorState(node.state),
    colorResult(node.result),
    node.created ?? '',
  ];
}

export const NODE_TABLE_HEADERS = ['ID', 'KIND', 'NAME', 'STATE', 'RESULT', 'CREATED'];
