// Reads docker-compose.yml, .env.example and the Dockerfile into plain shapes the deployment tests check.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const ROOT = path.resolve(__dirname, '..', '..');

export interface ComposeService {
  name: string;
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment: Record<string, string>;
  ports: string[];
  depends_on: Record<string, { condition?: string }>;
  healthcheck?: { test: string[] | string };
  deploy?: { replicas?: number };
}

export function readCompose(file = path.join(ROOT, 'docker-compose.yml')): {
  services: ComposeService[];
  text: string;
} {
  const text = fs.readFileSync(file, 'utf8');
  const doc = YAML.parse(text, { merge: true }) as { services: Record<string, Record<string, unknown>> };
  const services = Object.entries(doc.services).map(([name, raw]) => normaliseService(name, raw));
  return { services, text };
}

/** docker-compose.yml with override files applied as compose merges them (maps merged, the rest replaced). */
export function readComposeWith(overrides: string[]): { services: ComposeService[]; text: string } {
  const base = readCompose();
  const byName = new Map(base.services.map((s) => [s.name, s]));
  let text = base.text;
  for (const file of overrides) {
    const extra = readCompose(path.join(ROOT, file));
    text += '\n' + extra.text;
    for (const s of extra.services) {
      const cur = byName.get(s.name);
      if (!cur) {
        byName.set(s.name, s);
        continue;
      }
      byName.set(s.name, {
        ...cur,
        ...Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)),
        environment: { ...cur.environment, ...s.environment },
        depends_on: { ...cur.depends_on, ...s.depends_on },
        ports: s.ports.length ? s.ports : cur.ports,
      });
    }
  }
  return { services: [...byName.values()], text };
}

function normaliseService(name: string, raw: Record<string, unknown>): ComposeService {
  const env = raw.environment;
  const environment: Record<string, string> = {};
  if (Array.isArray(env)) {
    for (const item of env as string[]) {
      const [k, ...v] = item.split('=');
      environment[k] = v.join('=');
    }
  } else if (env && typeof env === 'object') {
    for (const [k, v] of Object.entries(env)) environment[k] = String(v);
  }
  const deps = raw.depends_on;
  const depends_on: ComposeService['depends_on'] = Array.isArray(deps)
    ? Object.fromEntries((deps as string[]).map((d) => [d, {}]))
    : ((deps as ComposeService['depends_on']) ?? {});
  return {
    name,
    image: raw.image as string | undefined,
    build: raw.build,
    command: raw.command as string[] | string | undefined,
    environment,
    ports: ((raw.ports as unknown[]) ?? []).map(String),
    depends_on,
    healthcheck: raw.healthcheck as ComposeService['healthcheck'],
    deploy: raw.deploy as ComposeService['deploy'],
  };
}

/** Names of `${VAR}`, `${VAR:-x}`, `${VAR:?msg}` interpolations (`$${X}` is a literal for the container shell). */
export function interpolatedVars(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) out.add(m[1]);
  return out;
}

export function readEnvExample(file = path.join(ROOT, '.env.example')): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

export interface DockerStage {
  from: string;
  lines: string[];
}

export function readDockerfileStages(file = path.join(ROOT, 'Dockerfile')): DockerStage[] {
  const stages: DockerStage[] = [];
  // Join continuation lines first so each instruction is one string.
  const instructions = fs
    .readFileSync(file, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const line of instructions) {
    if (/^FROM\s/i.test(line)) stages.push({ from: line, lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

/** `node dist/x/y.js` → `dist/x/y.js`. */
export function entryScript(service: ComposeService): string | null {
  const cmd = typeof service.command === 'string' ? service.command.split(/\s+/) : service.command;
  if (!cmd || cmd[0] !== 'node') return null;
  return cmd.find((a) => a.endsWith('.js')) ?? null;
}
