import { infra, port } from '../topology/schema-parts.js';
import type { ComponentModule, SchemaSlice } from './module.js';
import { nginxPublicUrl } from './nginx-url.js';
import { hardened, probe } from './shared.js';

export { nginxPublicUrl } from './nginx-url.js';

export const nginxSlice = {
  section: 'infrastructure',
  key: 'nginx',
  schema: infra({ hostPort: port.default(80) }),
  defaults: { image: 'nginx:1.27-bookworm', resources: { cpus: 0.25, memory: '64m' } },
} satisfies SchemaSlice;

/** Nginx: the services under /svc/<name>/ and Keycloak under /auth, on one host port. */
export const nginx: ComponentModule = {
  name: 'nginx',
  component: 'nginx',
  slice: nginxSlice,
  reservedNames: ['nginx'],
  hostPorts: (topology) => [['infrastructure.nginx.hostPort', topology.infrastructure.nginx.hostPort]],
  plan({ topology, paths, network }) {
    const settings = topology.infrastructure.nginx;
    return {
      workloads: [
        {
          name: 'nginx',
          lifecycle: 'long-running',
          role: 'infrastructure',
          component: 'nginx',
          image: settings.image,
          imageTools: ['bash'],
          category: 'support',
          override: settings.resources,
          ports: [{ host: settings.hostPort, container: 80, purpose: 'HTTP' }],
          startTimeoutSeconds: 60,
          // The image's 30-tune-worker-processes.sh sets worker_processes to the CPUs its cgroup allows.
          environment: { NGINX_ENTRYPOINT_WORKER_PROCESSES_AUTOTUNE: '1' },
          ...(network ? { fixedAddress: true } : {}),
          volumes: [{ kind: 'config', file: 'nginx', mountPath: '/etc/nginx/conf.d/default.conf' }],
          readiness: probe({ kind: 'http', port: 80, path: '/healthz' }, 5, 5),
          // The master process starts as root to bind its port and switches its workers to an
          // unprivileged user, after creating their temporary directories.
          security: hardened({
            rootReason: 'the master process starts as root, binds port 80 and switches its workers to the nginx user',
            capabilities: ['CHOWN', 'DAC_OVERRIDE', 'SETGID', 'SETUID', 'NET_BIND_SERVICE'],
          }),
        },
      ],
      files: [{ id: 'nginx', path: paths.nginx }],
      urls: [{ key: 'NGINX_URL', name: 'Nginx', url: nginxPublicUrl(topology) }],
    };
  },
};
