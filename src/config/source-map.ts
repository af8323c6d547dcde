// Maps a path in the merged configuration back to the file and line it came from.
import { isMap, isScalar, isSeq, LineCounter, type Document } from 'yaml';

export type ConfigPath = (string | number)[];

export interface ParsedFile {
  file: string;
  doc: Document;
  lines: LineCounter;
}

/** Which file defined each merged entry: `origins[section][key]` = file index; scheduler items by position. */
export interface Origins {
  entries: Record<string, Record<string, number>>;
  scheduler: { file: number; index: number }[];
  sections: Record<string, number[]>;
}

export function formatPath(path: ConfigPath): string {
  return path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('');
}

/** Line (1-based) of the deepest node of `path` present in the document, preferring the key's line. */
function lineIn(parsed: ParsedFile, path: ConfigPath): number | null {
  let node: unknown = parsed.doc.contents;
  let line: number | null = null;
  const lineOf = (offset: number | undefined) =>
    offset === undefined ? null : parsed.lines.linePos(offset).line;
  if (node && typeof node === 'object' && 'range' in node)
    line = lineOf((node as { range?: [number] }).range?.[0]);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      if (isScalar(pair.key)) line = lineOf(pair.key.range?.[0]) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (!item) break;
      if (typeof item === 'object' && item && 'range' in item)
        line = lineOf((item as { range?: [number] }).range?.[0]) ?? line;
      node = item;
    } else {
      break;
    }
  }
  return line;
}

export function locate(files: ParsedFile[], origins: Origins, path: ConfigPath): string {
  if (!files.length) return '<no file>';
  const section = String(path[0]);
  let fileIndex: number | undefined;
  let localPath = path;
  if (section === 'scheduler' && typeof path[1] === 'number' && origins.scheduler[path[1]]) {
    const o = origins.scheduler[path[1]];
    fileIndex = o.file;
    localPath = ['scheduler', o.index, ...path.slice(2)];
  } else if (path.length >= 2 && origins.entries[section]?.[String(path[1])] !== undefined) {
    fileIndex = origins.entries[section][String(path[1])];
  } else if (origins.sections[section]?.length) {
    fileIndex = origins.sections[section][origins.sections[section].length - 1];
  }
  if (fileIndex === undefined) return files[0].file;
  const parsed = files[fileIndex];
  const line = lineIn(parsed, localPath);
  return line === null ? parsed.file : `${parsed.file}:${line}`;
}
