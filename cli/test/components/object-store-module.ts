import { z } from 'zod';
import type { ComponentModule, SchemaSlice } from '../../src/components/module.js';
import { settingsOf } from '../../src/components/module.js';
import { probe, secret } from '../../src/components/shared.js';
import { infra, port } from '../../src/topology/schema-parts.js';

/**
 * A made-up infrastructure component, a MinIO-like S3 object store, written as a component
 * module and nothing else: the proof that a new container is one module plus one list entry.
 */
const apiPort = 9000;
const consolePort = 9001;

export const objectStoreSlice = {
  section: 'infrastructure',
  key: 'objectStore',
  schema: infra({
    apiHostPort: port.default(9200),
    consoleHostPort: port.default(9201),
    bucket: z.string().min(3).default('innover'),
  }),
  defaults: { image: 'example/object-store:1.0' },
} satisfies SchemaSlice;

interface ObjectStoreSettings {
  image: string;
  apiHostPort: number;
  consoleHostPort: number;
  bucket: string;
}

export const objectStore: ComponentModule = {
  name: 'object-store',
  component: 'object-store',
  slice: objectStoreSlice,
  reservedNames: ['object-store'],
  hostPorts: (topology) => {
    const settings = settingsOf<ObjectStoreSettings>(topology, objectStoreSlice);
    return [
      ['infrastructure.objectStore.apiHostPort', settings.apiHostPort],
      ['infrastructure.objectStore.consoleHostPort', settings.consoleHostPort],
    ];
  },
  provides: ({ topology }) => ({
    serviceDependencies: [{ name: 'object-store', condition: 'healthy' }],
    serviceEnvironment: () => ({
      S3_ENDPOINT: `http://object-store:${apiPort}`,
      S3_BUCKET: settingsOf<ObjectStoreSettings>(topology, objectStoreSlice).bucket,
      S3_SECRET_KEY: secret('OBJECT_STORE_PASSWORD'),
    }),
  }),
  plan({ topology }) {
    const settings = settingsOf<ObjectStoreSettings>(topology, objectStoreSlice);
    return {
      workloads: [
        {
          name: 'object-store',
          lifecycle: 'long-running',
          role: 'infrastructure',
          component: 'object-store',
          image: settings.image,
          imageTools: ['curl'],
          category: 'support',
          ports: [
            { host: settings.apiHostPort, container: apiPort, purpose: 'S3 API' },
            { host: settings.consoleHostPort, container: consolePort, hostOnly: true, purpose: 'console' },
          ],
          startTimeoutSeconds: 60,
          environment: { ROOT_USER: 'innover', ROOT_PASSWORD: secret('OBJECT_STORE_PASSWORD') },
          command: ['server', '/data', '--console-address', `:${consolePort}`],
          volumes: [{ kind: 'data', volume: 'object-store-data', mountPath: '/data' }],
          readiness: probe({ kind: 'http', port: apiPort, path: '/health/ready' }, 10, 5),
          liveness: probe({ kind: 'http', port: apiPort, path: '/health/live' }, 10, 10, 12),
          security: { runAsUser: 1000, readOnlyRootFilesystem: true, tmpfs: ['/tmp'], capabilities: [], noNewPrivileges: true },
        },
      ],
      volumes: [{ name: 'object-store-data', sizeHint: '20Gi' }],
      urls: [
        { key: 'OBJECT_STORE_URL', name: 'Object store (S3 API)', url: `http://localhost:${settings.apiHostPort}` },
        { key: 'OBJECT_STORE_CONSOLE_URL', name: 'Object store console', url: `http://localhost:${settings.consoleHostPort}` },
      ],
      secrets: [{ key: 'OBJECT_STORE_PASSWORD', description: "the object store's root password" }],
      entryPoints: [{ name: 'object-store-cli', workload: 'object-store', command: ['mc'] }],
    };
  },
};
