import { infra, port } from '../topology/schema-parts.js';
import type { ComponentModule, SchemaSlice } from './module.js';
import { hardened, memoryMebibytes, probe, shellProbe } from './shared.js';

const kafkaInternalPort = 29092;
const kafkaExternalContainerPort = 9092;

export const redpandaSlice = {
  section: 'infrastructure',
  key: 'redpanda',
  schema: infra({ hostPort: port.default(9092) }),
  defaults: { image: 'docker.redpanda.com/redpandadata/redpanda:v24.3.6', resources: { cpus: 1, memory: '1g' } },
} satisfies SchemaSlice;

/** Redpanda: the Kafka API for the services' events. */
export const redpanda: ComponentModule = {
  name: 'redpanda',
  component: 'redpanda',
  slice: redpandaSlice,
  reservedNames: ['redpanda'],
  hostPorts: (topology) => [['infrastructure.redpanda.hostPort', topology.infrastructure.redpanda.hostPort]],
  provides: () => ({
    serviceDependencies: [{ name: 'redpanda', condition: 'healthy' }],
    serviceEnvironment: () => ({ KAFKA_BROKERS: `redpanda:${kafkaInternalPort}` }),
  }),
  plan({ topology }) {
    const settings = topology.infrastructure.redpanda;
    const resources = settings.resources ?? topology.resources.support;
    // Seastar takes what --memory says; leave a quarter of the limit for everything else.
    const seastarMemory = Math.max(256, Math.floor(memoryMebibytes(resources.memory) * 0.75));
    return {
      workloads: [
        {
          name: 'redpanda',
          lifecycle: 'long-running',
          role: 'infrastructure',
          component: 'redpanda',
          image: settings.image,
          imageTools: ['bash'],
          category: 'support',
          override: settings.resources,
          ports: [{ host: settings.hostPort, container: kafkaExternalContainerPort, purpose: 'Kafka API (host)' }],
          startTimeoutSeconds: 120,
          command: [
            'redpanda',
            'start',
            '--mode',
            'dev-container',
            '--smp',
            '1',
            '--memory',
            `${seastarMemory}M`,
            '--kafka-addr',
            `internal://0.0.0.0:${kafkaInternalPort},external://0.0.0.0:${kafkaExternalContainerPort}`,
            '--advertise-kafka-addr',
            `internal://redpanda:${kafkaInternalPort},external://localhost:${settings.hostPort}`,
          ],
          volumes: [{ kind: 'data', volume: 'redpanda-data', mountPath: '/var/lib/redpanda/data' }],
          readiness: probe(shellProbe("rpk cluster health | grep -E 'Healthy:.+true'"), 20),
          security: hardened({ runAsUser: 101 }),
        },
      ],
      volumes: [{ name: 'redpanda-data', sizeHint: '10Gi' }],
      urls: [{ key: 'REDPANDA_BROKERS', name: 'Redpanda (Kafka API)', url: `localhost:${settings.hostPort}` }],
      entryPoints: [{ name: 'kafka-topics', workload: 'redpanda', command: ['rpk', 'topic'] }],
    };
  },
};
