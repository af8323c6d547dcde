// The compose stack cannot run here (no Docker engine), so its wiring is checked against the code:
// settings names, required settings of each entry point, ports, dependencies, build outputs.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/settings';
import { SEARCH_ATTRIBUTE_NAMES } from '../../src/temporal/search-attributes';
import {
  ROOT,
  entryScript,
  interpolatedVars,
  readCompose,
  readComposeWith,
  readDockerfileStages,
  readEnvExample,
  type ComposeService,
} from './compose-model';

const { services, text } = readCompose();
const byName = new Map(services.map((s) => [s.name, s]));
const settingsByEnv = new Map(Object.entries(SETTINGS).map(([key, d]) => [d.env, { key, ...d }]));
const settingKeyToEnv = new Map(Object.entries(SETTINGS).map(([key, d]) => [key, d.env]));
/** Services running this project's image (built from the Dockerfile). */
const ours = services.filter((s) => s.build !== undefined);

function sourceOf(script: string): string {
  return path.join(ROOT, script.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'));
}

/** Settings an entry point refuses to start without: its `if (!settings.x …) throw` guards. */
function requiredSettings(script: string): string[] {
  const src = fs.readFileSync(sourceOf(script), 'utf8');
  const keys = [...src.matchAll(/!\s*settings\.(\w+)/g)].map((m) => m[1]);
  return [...new Set(keys)].map((k) => settingKeyToEnv.get(k) ?? `<unknown setting ${k}>`);
}

function containerPort(mapping: string): number {
  return Number(mapping.split(':').pop()!.split('/')[0]);
}

function effective(service: ComposeService, env: string): string | undefined {
  return service.environment[env] ?? settingsByEnv.get(env)?.default;
}

describe('docker-compose.yml', () => {
  it('has the production services', () => {
    for (const name of [
      'postgresql',
      'temporal',
      'temporal-ui',
      'api',
      'pipeline-worker',
      'lab-shell',
      'storage',
    ]) {
      expect(byName.has(name), `service ${name}`).toBe(true);
    }
    expect(byName.get('api')!.deploy?.replicas).toBe(2);
    expect(byName.get('temporal')!.image).toMatch(/^temporalio\/(auto-setup|server):/);
    expect(byName.get('temporal')!.environment.DB).toMatch(/^postgres/);
    expect(byName.get('temporal-ui')!.image).toMatch(/^temporalio\/ui:/);
    // Maestro's data in its own database on the server that holds Temporal's persistence.
    expect(byName.get('postgresql')!.environment.POSTGRES_DB).toBe('maestro');
    expect(byName.get('api')!.environment.DATABASE_URL).toMatch(/@postgresql:5432\/maestro$/);
    expect(byName.has('mongodb')).toBe(false);
  });

  it('gives every service an image or a build, and our services an entry point that the build emits', () => {
    for (const s of services) {
      expect(s.image ?? s.build, `${s.name}: image or build`).toBeTruthy();
    }
    expect(ours.length).toBeGreaterThanOrEqual(4);
    for (const s of ours) {
      const script = entryScript(s);
      expect(script, `${s.name}: runs "node dist/….js"`).toMatch(/^dist\/.+\.js$/);
      expect(fs.existsSync(sourceOf(script!)), `${s.name}: ${sourceOf(script!)} exists`).toBe(true);
      if (fs.existsSync(path.join(ROOT, 'dist'))) {
        expect(fs.existsSync(path.join(ROOT, script!)), `${s.name}: ${script} in build output`).toBe(true);
      }
    }
  });

  it('sets only variables the settings module declares, and every setting an entry point requires', () => {
    for (const s of ours) {
      for (const env of Object.keys(s.environment)) {
        expect(settingsByEnv.has(env), `${s.name}: ${env} is declared in src/settings.ts`).toBe(true);
      }
      for (const env of requiredSettings(entryScript(s)!)) {
        expect(s.environment[env], `${s.name}: required ${env} is set`).toBeTruthy();
      }
    }
  });

  it('takes every secret from the environment, never a literal', () => {
    for (const s of services) {
      for (const [env, value] of Object.entries(s.environment)) {
        if (!/SECRET|PASSWORD|PWD|TOKEN/.test(env)) continue;
        expect(value, `${s.name}: ${env}`).toMatch(/^\$\{[A-Z_]+:\?/);
      }
    }
    expect(byName.get('api')!.environment.DATABASE_URL).toMatch(/\$\{POSTGRES_PASSWORD:\?/);
  });

  it('documents every interpolated variable in .env.example, and nothing else', () => {
    const documented = readEnvExample();
    const used = interpolatedVars(text + '\n' + readComposeWith(['docker-compose.mongodb.yml']).text);
    for (const v of used) expect(documented.has(v), `.env.example lists ${v}`).toBe(true);
    for (const v of documented.keys()) expect(used.has(v), `${v} from .env.example is used`).toBe(true);
  });

  it('publishes ports that match the settings each process listens on', () => {
    const api = byName.get('api')!;
    const apiPort = Number(effective(api, 'MAESTRO_API_PORT'));
    expect(effective(api, 'MAESTRO_API_HOST')).toBe('0.0.0.0');
    expect(api.ports.map(containerPort)).toEqual([apiPort]);
    expect(JSON.stringify(api.healthcheck?.test)).toContain(`:${apiPort}/`);
    const storage = byName.get('storage')!;
    const storagePortEnv = Object.keys(storage.environment).find((e) => /STORAGE.*PORT/.test(e));
    if (storagePortEnv) {
      const port = Number(effective(storage, storagePortEnv));
      expect(storage.ports.map(containerPort)).toEqual([port]);
      expect(JSON.stringify(storage.healthcheck?.test)).toContain(String(port));
    }
    expect(byName.get('temporal')!.ports.map(containerPort)).toContain(7233);
  });

  it('points every address at a service it waits for', () => {
    for (const s of services) {
      for (const dep of Object.keys(s.depends_on))
        expect(byName.has(dep), `${s.name} depends on ${dep}`).toBe(true);
    }
    for (const s of ours) {
      for (const [env, value] of Object.entries(s.environment)) {
        const host = /^(?:[a-z]+:\/\/)?(?:[^@/]*@)?([a-z][a-z0-9-]*):\d+/.exec(value)?.[1];
        if (!host || host === 'localhost') continue;
        expect(byName.has(host), `${s.name}: ${env} names service ${host}`).toBe(true);
        if (!env.includes('PUBLIC')) {
          expect(
            s.depends_on[host] ?? (host === s.name ? {} : undefined),
            `${s.name} waits for ${host}`,
          ).toBeDefined();
        }
      }
      if (s.environment.DATABASE_URL) expect(s.depends_on.postgresql?.condition).toBe('service_healthy');
      if (s.environment.TEMPORAL_ADDRESS) expect(s.depends_on.temporal?.condition).toBe('service_healthy');
    }
    // A lab worker talks to the API over HTTP only.
    expect(byName.get('lab-shell')!.environment.DATABASE_URL).toBeUndefined();
  });

  it('gives the long-running infrastructure and the API health checks', () => {
    for (const name of ['postgresql', 'temporal', 'api', 'storage']) {
      expect(byName.get(name)!.healthcheck?.test, `${name} healthcheck`).toBeTruthy();
    }
  });

  it('registers exactly the search attributes the workflows set', () => {
    const command = text.slice(text.indexOf('temporal-search-attributes:'));
    const names = /for name in ([A-Za-z ]+); do/.exec(command)?.[1].trim().split(/\s+/);
    expect(names?.sort()).toEqual([...SEARCH_ATTRIBUTE_NAMES].sort());
  });
});

describe('docker-compose.mongodb.yml (the MongoDB variant)', () => {
  const merged = readComposeWith(['docker-compose.mongodb.yml']);
  const named = new Map(merged.services.map((s) => [s.name, s]));

  it('adds a MongoDB replica set and points every database user at it', () => {
    expect(named.get('mongodb')!.image).toMatch(/^mongo:/);
    expect(merged.text).toMatch(/--replSet rs0/);
    expect(named.get('mongodb')!.healthcheck?.test).toBeTruthy();
    for (const s of merged.services.filter((x) => x.environment.DATABASE_URL)) {
      expect(s.environment.MONGODB_URI, `${s.name}: MONGODB_URI`).toMatch(/\$\{MONGO_ROOT_PASSWORD:\?/);
      expect(s.depends_on.mongodb?.condition, `${s.name} waits for mongodb`).toBe('service_healthy');
    }
    expect(named.get('lab-shell')!.environment.MONGODB_URI).toBeUndefined();
    for (const s of merged.services)
      for (const dep of Object.keys(s.depends_on)) expect(named.has(dep), `${s.name} → ${dep}`).toBe(true);
  });
});

describe('Dockerfile', () => {
  const stages = readDockerfileStages();
  const runtime = stages.at(-1)!;

  it('builds in one stage and runs production dependencies only in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0].lines.some((l) => /npm ci(?!.*--omit=dev)/.test(l))).toBe(true);
    expect(stages[0].lines.some((l) => /tsc -p tsconfig\.build\.json/.test(l))).toBe(true);
    expect(runtime.lines.some((l) => /npm ci .*--omit=dev/.test(l))).toBe(true);
    expect(runtime.lines.some((l) => /COPY --from=\w+ \/app\/dist/.test(l))).toBe(true);
  });

  it('runs as a non-root user with git installed', () => {
    const user = runtime.lines.filter((l) => /^USER\s/.test(l)).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/USER\s+(root|0)\b/);
    expect(runtime.lines.some((l) => /apt-get install .*\bgit\b/.test(l))).toBe(true);
  });

  it('copies only paths that exist and that .dockerignore lets through', () => {
    const ignored = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const stage of stages) {
      for (const line of stage.lines.filter((l) => /^COPY\s/.test(l) && !l.includes('--from'))) {
        const sources = line.split(/\s+/).slice(1, -1);
        for (const src of sources) {
          expect(fs.existsSync(path.join(ROOT, src)), `COPY ${src} exists`).toBe(true);
          expect(ignored.includes(src.replace(/\/$/, '')), `COPY ${src} not in .dockerignore`).toBe(false);
        }
      }
    }
  });
});
