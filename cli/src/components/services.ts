import { z } from 'zod';
import { sharedFilePaths } from '../plan/files.js';
import type { DependencyPlan, StackUrl, Text } from '../plan/types.js';
import { image } from '../topology/schema-parts.js';
import { serviceUrlKey, upperSnake } from '../topology/service-calls.js';
import type { ComponentModule, SchemaSlice, WorkloadDraft } from './module.js';
import { nginxPublicUrl } from './nginx-url.js';
import { serviceQueue, serviceTasks } from './services-names.js';
import { hardened, probe } from './shared.js';

export { databaseName, serviceApiContext, serviceQueue, serviceTasks } from './services-names.js';

/** Base image of the service Dockerfile template. */
export const nodeSlice = {
  section: 'infrastructure',
  key: 'node',
  schema: z.strictObject({ image }),
  defaults: { image: 'node:24-bookworm-slim' },
} satisfies SchemaSlice;

/** The kit's in-image healthcheck (the service images have bash, no curl): a few ms of CPU a run, not a Node start. */
const kitHealthcheck = (role: 'api' | 'worker') => ['bash', '/app/services/kit/bin/healthcheck.sh', role];

/**
 * The service image's `node` user, by number (runAsNonRoot refuses a name); nothing to add back,
 * and a read-only root filesystem with /tmp for the worker's heartbeat file.
 */
const serviceSecurity = hardened({ runAsUser: 1000, readOnlyRootFilesystem: true, tmpfs: ['/tmp'] });

/** The application services: an API and a worker per `services[]` entry, built from one Dockerfile template. */
export const services: ComponentModule = {
  name: 'services',
  component: 'services',
  slice: nodeSlice,
  profileProblems: (components) =>
    components.includes('services') && !components.includes('redis') ? ["'services' needs 'redis' (the workers' queues): add redis"] : [],
  plan({ topology, provisions, has }) {
    const dependsOn: DependencyPlan[] = provisions.flatMap((provision) => provision.serviceDependencies ?? []);
    const workloads: WorkloadDraft[] = [];
    const urls: StackUrl[] = [];
    for (const service of topology.services) {
      const environment: Record<string, Text> = { SERVICE_NAME: service.name };
      for (const provision of provisions) Object.assign(environment, provision.serviceEnvironment?.(service));
      // Service identity (services[].calls): where each callee listens inside the network, and with
      // Keycloak the client-credentials settings of this service's own client. Without Keycloak
      // (lite) the services run without OIDC and call each other without tokens.
      if (service.calls.length > 0) {
        for (const call of service.calls) {
          const callee = topology.services.find((candidate) => candidate.name === call.service);
          if (callee) environment[serviceUrlKey(callee.name)] = `http://${callee.name}:${callee.port}`;
        }
        environment['SERVICE_CALLS'] = service.calls.map((call) => call.service).join(',');
        for (const provision of provisions) Object.assign(environment, provision.callerEnvironment?.(service));
      }
      environment['QUEUE_NAME'] = serviceQueue(service);
      environment['TASK_ROUTES'] = Object.entries(serviceTasks(service))
        .map(([task, queue]) => `${task}=${queue}`)
        .join(',');
      environment['WORKER_CONCURRENCY'] = String(service.worker.concurrency);
      environment['WORKER_LOCK_DURATION_MS'] = String(service.worker.lockDurationMs);
      environment['WORKER_STALLED_INTERVAL_MS'] = String(service.worker.stalledIntervalMs);
      const image = `innover/${service.name}:local`;
      workloads.push({
        name: service.name,
        lifecycle: 'long-running',
        role: 'api',
        component: 'services',
        service: service.name,
        image,
        build: { context: '.', dockerfile: sharedFilePaths.serviceDockerfile, args: { SERVICE: service.name, NODE_IMAGE: topology.infrastructure.node.image } },
        category: 'default',
        override: service.resources?.api,
        dependsOn,
        ports: [{ host: service.hostPort, container: service.port, hostOnly: true, purpose: 'API' }],
        startTimeoutSeconds: 120,
        environment: { ...environment, PORT: String(service.port), ...service.environment },
        // Ready when its dependencies answer (/readiness); alive while it answers at all (/health).
        readiness: { ...probe({ kind: 'http', port: service.port, path: '/readiness' }, 20), inImage: kitHealthcheck('api') },
        liveness: { ...probe({ kind: 'http', port: service.port, path: '/health' }, 20, 10, 12), inImage: kitHealthcheck('api') },
        security: serviceSecurity,
      });
      workloads.push({
        name: `${service.name}-worker`,
        lifecycle: 'long-running',
        role: 'worker',
        component: 'services',
        service: service.name,
        image,
        // The API's workload builds the image; building it here too would relabel it and flip its
        // id, so Compose would recreate containers on every up.
        imageFrom: service.name,
        category: 'worker',
        override: service.resources?.worker,
        dependsOn,
        startTimeoutSeconds: 120,
        environment: { ...environment, ...service.environment },
        command: ['node', 'dist/worker.js'],
        // The worker's heartbeat file, touched while it polls its queue.
        readiness: probe({ kind: 'exec', command: kitHealthcheck('worker') }, 20),
        security: serviceSecurity,
      });
      const key = upperSnake(service.name);
      const label = service.displayName ?? service.name;
      urls.push({ key: `${key}_URL`, name: `${label} API`, url: `http://localhost:${service.hostPort}` });
      if (has('nginx')) urls.push({ key: `${key}_NGINX_URL`, name: `${label} via Nginx`, url: `${nginxPublicUrl(topology)}/svc/${service.name}/` });
    }
    return { workloads, urls };
  },
};
