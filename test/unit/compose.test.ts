/**
 * docker-compose.yml and the Dockerfile against the code, since no Docker engine runs here: the
 * services are there, the app containers run real CLI commands, set only variables the config
 * schema knows (and values it accepts), point at services that exist, and publish sane ports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { COMMANDS, runCli } from '../../cli/main';
import { environmentSchema, loadConfig } from '../../common/config';
import { dynamicConfigYaml, POLL_QUEUE_PARTITIONS } from '../../harness/servers/temporal-cluster';

const ROOT = join(__dirname, '..', '..');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[];
  volumes?: string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  restart?: string;
  ports?: string[];
  expose?: string[];
  deploy?: { replicas?: number };
  healthcheck?: { test?: string[] };
}

// Merge keys (<<) as Docker Compose reads them: the app services share one block of settings.
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const APP_SERVICES = ['worker', 'ingress'];
const KNOWN_VARIABLES = new Set(Object.keys(environmentSchema.shape));

function environmentOf(service: Service): Record<string, string> {
  const environment = service.environment ?? {};
  const entries = Array.isArray(environment)
    ? environment.map((item) => item.split(/=(.*)/s).slice(0, 2) as [string, string])
    : Object.entries(environment).map(([name, value]) => [name, value === null ? '' : String(value)] as [string, string]);
  return Object.fromEntries(entries);
}

/**
 * Compose's interpolation, enough for this file: `${NAME:-default}` gives the default, `${NAME:?…}`
 * (must be set) a stand-in value, `$$` a dollar.
 */
function interpolate(value: string): string {
  return value
    .replace(/\$\{(\w+):\?[^}]*\}/g, (_match, name: string) => `${name.toLowerCase()}-value`)
    .replace(/\$\{(\w+):-([^}]*)\}/g, (_match, _name: string, fallback: string) => fallback)
    .replace(/\$\{(\w+)\}/g, '')
    .replace(/\$\$/g, '$');
}

function dependencies(service: Service): string[] {
  const dependsOn = service.depends_on ?? [];
  return Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn);
}

function hostOf(address: string): string {
  return address.replace(/:\d+$/, '');
}

describe('docker-compose.yml', () => {
  it('has the samples-server layout: PostgreSQL, a schema setup, the server, a namespace step, the UI; then the worker, the ingress and the ledger', () => {
    expect(Object.keys(services).sort()).toEqual([
      'ingress', 'ledger-db', 'postgresql', 'temporal', 'temporal-admin-tools', 'temporal-create-namespace', 'temporal-ui', 'worker',
    ]);
    const temporal = services.temporal as Service;
    // The server image, not the deprecated auto-setup one.
    expect(temporal.image).toMatch(/^temporalio\/server:/);
    const temporalEnvironment = environmentOf(temporal);
    expect(temporalEnvironment.DB).toBe('postgres12');
    expect(services[temporalEnvironment.POSTGRES_SEEDS as string]?.image).toMatch(/^postgres:/);
    expect(temporalEnvironment.POSTGRES_SEEDS).toBe('postgresql');
    expect(services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    expect(environmentOf(services['temporal-ui'] as Service).TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services['ledger-db']?.image).toMatch(/^postgres:/);
  });

  it('sets up both schemas with temporal-sql-tool in admin-tools before the server starts', () => {
    const setup = services['temporal-admin-tools'] as Service;
    expect(setup.image).toMatch(/^temporalio\/admin-tools:/);
    expect(setup.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(services.temporal?.depends_on).toEqual({ 'temporal-admin-tools': { condition: 'service_completed_successfully' } });
    const script = interpolate([...(setup.entrypoint ?? []), ...[setup.command ?? []].flat()].join(' '));
    expect(environmentOf(setup).DB).toBe('postgres12');
    // The steps harness/servers/temporal-cluster.ts runs, for both databases, against the postgresql service.
    expect(script).toContain('temporal-sql-tool --plugin postgres12 --ep postgresql -p 5432 -u temporal');
    for (const [database, folder] of [['temporal', 'temporal'], ['temporal_visibility', 'visibility']]) {
      expect(script).toContain(`--db ${database} create-database`);
      expect(script).toContain(`--db ${database} setup-schema -v 0.0`);
      expect(script).toMatch(new RegExp(`--db ${database} update-schema -d \\S*/postgresql/v12/${folder}/versioned`));
    }
  });

  it('creates the namespace the apps use, and the apps wait for it', () => {
    const namespace = services['temporal-create-namespace'] as Service;
    expect(namespace.image).toMatch(/^temporalio\/admin-tools:/);
    expect(namespace.depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    const appNamespace = environmentOf(services.worker as Service).TEMPORAL_NAMESPACE;
    expect([namespace.command ?? []].flat().join(' ')).toContain(`temporal operator namespace create --namespace ${appNamespace}`);
    for (const name of APP_SERVICES) {
      expect((services[name]?.depends_on as Record<string, { condition?: string }>)['temporal-create-namespace']).toEqual({ condition: 'service_completed_successfully' });
    }
  });

  it("gives the server the cluster test's dynamic config: one partition on each poll queue of the apps' task queue", () => {
    const temporal = services.temporal as Service;
    const mount = (temporal.volumes ?? []).find((volume) => volume.endsWith(':/etc/temporal/config/dynamicconfig'));
    expect(mount).toBeDefined();
    const file = environmentOf(temporal).DYNAMIC_CONFIG_FILE_PATH?.replace(/^config\/dynamicconfig\//, '') ?? '';
    const committed = readFileSync(join(ROOT, (mount as string).split(':')[0] as string, file), 'utf8');
    const taskQueue = environmentOf(services.worker as Service).TEMPORAL_TASK_QUEUE as string;
    expect(committed.replace(/^#.*\n/gm, '')).toBe(dynamicConfigYaml(taskQueue, POLL_QUEUE_PARTITIONS));
    expect(environmentOf(temporal).NUM_HISTORY_SHARDS).toBe('4');
  });

  it.each(APP_SERVICES)('%s runs its own CLI command from the app image', (name) => {
    const service = services[name] as Service;
    expect(service.build).toBe('.');
    expect(service.command).toEqual(['npx', 'order-tracker', name]);
    expect(COMMANDS).toContain(name);
  });

  it.each(APP_SERVICES)('%s sets only variables of the config schema, with values it accepts', (name) => {
    const environment = environmentOf(services[name] as Service);
    const unknown = Object.keys(environment).filter((variable) => !KNOWN_VARIABLES.has(variable));
    expect(unknown).toEqual([]);
    const values = Object.fromEntries(Object.entries(environment).map(([variable, value]) => [variable, interpolate(value)]));
    const config = loadConfig(values);
    expect(config.databaseUrl).toMatch(/^postgres:\/\/order_tracker:[^@]+@ledger-db:5432\/order_tracker$/);
    expect(hostOf(config.environment.TEMPORAL_ADDRESS)).toBe('temporal');
    // Provider credentials come from the deployment's environment, never from this file.
    for (const variable of ['MAGMA_API_KEY', 'MIRACLECASH_API_KEY', 'OZZOBIT_SECRET_KEY', 'HOUDINI_SECRET']) {
      expect(environment[variable]).toBe(`\${${variable}:-}`);
    }
  });

  it('points the apps at the services that hold what they need', () => {
    for (const name of APP_SERVICES) {
      const environment = environmentOf(services[name] as Service);
      expect(dependencies(services[name] as Service)).toEqual(expect.arrayContaining(['temporal-create-namespace', 'ledger-db']));
      expect(services[hostOf(environment.TEMPORAL_ADDRESS as string)]).toBeDefined();
    }
  });

  it('depends only on services that exist, without cycles', () => {
    const visiting = new Set<string>();
    const visit = (name: string, path: string[]): void => {
      expect({ path, exists: name in services }).toEqual({ path, exists: true });
      if (visiting.has(name)) throw new Error(`dependency cycle: ${[...path, name].join(' → ')}`);
      visiting.add(name);
      for (const dependency of dependencies(services[name] as Service)) visit(dependency, [...path, name]);
      visiting.delete(name);
    };
    for (const name of Object.keys(services)) visit(name, []);
  });

  it('runs several workers', () => {
    const worker = services.worker as Service;
    expect(worker.deploy?.replicas).toBeGreaterThanOrEqual(2);
    // Replicas cannot share a published host port.
    expect(worker.ports).toBeUndefined();
  });

  it.each(APP_SERVICES)('gives the %s a metrics endpoint Prometheus can reach inside the network', (name) => {
    const service = services[name] as Service;
    const environment = environmentOf(service);
    expect(environment.METRICS_HOST).toBe('0.0.0.0');
    expect(service.expose).toEqual([environment.METRICS_PORT]);
    expect(service.ports ?? []).not.toContainEqual(expect.stringMatching(new RegExp(`:${environment.METRICS_PORT}$`)));
  });

  it('publishes the ingress on its INGRESS_PORT, listening on every interface of its container', () => {
    const ingress = services.ingress as Service;
    const environment = environmentOf(ingress);
    expect(environment.INGRESS_HOST).toBe('0.0.0.0');
    expect(ingress.ports?.map((port) => port.split(':').at(-1))).toEqual([environment.INGRESS_PORT]);
    expect(ingress.healthcheck?.test?.join(' ')).toContain(`127.0.0.1:${environment.INGRESS_PORT}/healthz`);
  });

  it('publishes well-formed ports, none twice, Temporal, its UI and the plain-HTTP ingress on loopback only', () => {
    const published: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) {
        expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^(127\.0\.0\.1:)?\d{1,5}:\d{1,5}$/) });
        published.push(port.split(':').slice(0, -1).join(':'));
      }
    }
    expect(new Set(published).size).toBe(published.length);
    // The ingress speaks plain HTTP: TLS terminates at a proxy in front of it (issue 29, R13).
    for (const name of ['temporal', 'temporal-ui', 'ingress']) {
      for (const port of services[name]?.ports ?? []) expect(port.startsWith('127.0.0.1:')).toBe(true);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const instructions = dockerfile.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const stageStarts = instructions.flatMap((line, index) => (line.startsWith('FROM ') ? [index] : []));
  const build = instructions.slice(stageStarts[0], stageStarts[1]);
  const runtime = instructions.slice(stageStarts[1]);
  const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; peerDependencies: Record<string, string> };

  it('builds on Node 20 in two stages: npm pack with every dependency, then an image that installs the tarball', () => {
    expect(stageStarts).toHaveLength(2);
    expect(build[0]).toMatch(/^FROM node:20\S* AS build$/);
    expect(runtime[0]).toMatch(/^FROM node:20\b/);
    expect(build).toContain('RUN npm ci --no-audit --no-fund');
    // prepack compiles dist/ (TypeScript is a devDependency): the tarball is what a backend installs.
    expect(build).toContain('RUN npm pack --pack-destination /package');
    expect(packageJson.scripts.prepack).toBe('node scripts/build-package.js');
  });

  it('installs the package as a consumer does, with exactly the worker side\'s packages package.json names', () => {
    const written = /^RUN node -p "(.+)" > \/package\/worker-packages$/m.exec(dockerfile);
    const peers = new Function('require', `return ${written?.[1] ?? "''"}`)((name: string) => (name === './package.json' ? packageJson : undefined)) as string;
    expect(peers.split(' ')).toEqual(Object.entries(packageJson.peerDependencies).map(([name, range]) => `${name}@${range}`));
    expect(runtime).toContain('COPY --from=build /package /package');
    expect(runtime.filter((line) => line.startsWith('COPY '))).toEqual(['COPY --from=build /package /package']);
    expect(dockerfile).toContain('npm install --no-audit --no-fund /package/order-tracker-*.tgz $(cat /package/worker-packages)');
    expect(dockerfile).toContain('"allowScripts": { "better-sqlite3": true }');
    expect(runtime).toContain('ENV NODE_ENV=production');
  });

  it('runs a real CLI command by default, as a user without root', () => {
    const command = JSON.parse(runtime.find((line) => line.startsWith('CMD '))?.slice(4) ?? '[]') as string[];
    expect(command.slice(0, 2)).toEqual(['npx', 'order-tracker']);
    expect(COMMANDS).toContain(command[2]);
    expect(runtime).toContain('USER node');
  });

  it('bundles the workflows with the installed CLI at build time and points the worker at that folder', () => {
    const bundle = /^RUN npx order-tracker bundle-workflows (\S+)$/m.exec(dockerfile);
    expect(COMMANDS).toContain('bundle-workflows');
    const bundleLine = runtime.findIndex((line) => line.startsWith('RUN npx order-tracker bundle-workflows'));
    expect(bundleLine).toBeGreaterThan(runtime.findIndex((line) => line.includes('npm install')));
    expect(runtime).toContain(`ENV WORKFLOW_BUNDLE=${bundle?.[1]}`);
  });
});

describe('the CLI commands', () => {
  it('are all in the usage text', async () => {
    const written: string[] = [];
    await runCli(['--help'], { write: (text) => written.push(text), error: (text) => written.push(text) });
    for (const command of COMMANDS) expect(written.join('\n')).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
  });
});
