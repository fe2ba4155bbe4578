import { sharedFilePaths } from '../plan/files.js';
import { infra, port } from '../topology/schema-parts.js';
import type { ComponentModule, SchemaSlice } from './module.js';
import { hardened, memoryMebibytes, probe } from './shared.js';

export const wso2Slice = {
  section: 'infrastructure',
  key: 'wso2',
  schema: infra({
    managementHostPort: port.default(9443),
    gatewayHttpsHostPort: port.default(8243),
    gatewayHttpHostPort: port.default(8280),
    /** WebSocket APIs: the gateway's ws and wss listeners. */
    gatewayWsHostPort: port.default(9099),
    gatewayWssHostPort: port.default(8099),
  }),
  defaults: { image: 'wso2/wso2am:4.5.0', resources: { cpus: 2, memory: '3g' } },
} satisfies SchemaSlice;

const managementPort = 9443;
/** WSO2's readiness endpoint inside its container: 200 once the gateway has deployed its APIs. */
export const wso2ReadinessUrl = `https://localhost:${managementPort}/api/am/gateway/v2/server-startup-healthcheck`;

/**
 * The JVM heap for WSO2's memory limit: two thirds of it, as WSO2's 4.5 Helm chart does (2048m
 * under 3Gi), leaving the rest for metaspace, threads and native memory.
 */
export function wso2JvmMemoryOptions(memory: string): string {
  const heap = Math.floor((memoryMebibytes(memory) * 2) / 3);
  return `-Xms${heap}m -Xmx${heap}m`;
}

/** The product home inside the WSO2 image, e.g. `/home/wso2carbon/wso2am-4.5.0`. */
export function wso2Home(image: string): string {
  const tag = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : 'latest';
  return `/home/wso2carbon/wso2am-${tag}`;
}

/** WSO2 API Manager: the gateway, publisher and developer portal, on its embedded H2. */
export const wso2: ComponentModule = {
  name: 'wso2',
  component: 'wso2',
  slice: wso2Slice,
  reservedNames: ['wso2am'],
  hostPorts: (topology) => {
    const settings = topology.infrastructure.wso2;
    return [
      ['infrastructure.wso2.managementHostPort', settings.managementHostPort],
      ['infrastructure.wso2.gatewayHttpsHostPort', settings.gatewayHttpsHostPort],
      ['infrastructure.wso2.gatewayHttpHostPort', settings.gatewayHttpHostPort],
      ['infrastructure.wso2.gatewayWsHostPort', settings.gatewayWsHostPort],
      ['infrastructure.wso2.gatewayWssHostPort', settings.gatewayWssHostPort],
    ];
  },
  plan({ topology }) {
    const settings = topology.infrastructure.wso2;
    const resources = settings.resources ?? topology.resources.support;
    const management = `https://localhost:${settings.managementHostPort}`;
    return {
      workloads: [
        {
          name: 'wso2am',
          lifecycle: 'long-running',
          role: 'infrastructure',
          component: 'wso2',
          image: settings.image,
          imageTools: ['bash', 'curl'],
          category: 'support',
          override: settings.resources,
          ports: [
            { host: settings.managementHostPort, container: managementPort, purpose: 'publisher, devportal, admin' },
            { host: settings.gatewayHttpsHostPort, container: 8243, purpose: 'gateway HTTPS' },
            { host: settings.gatewayHttpHostPort, container: 8280, purpose: 'gateway HTTP' },
            { host: settings.gatewayWsHostPort, container: 9099, purpose: 'gateway WebSocket' },
            { host: settings.gatewayWssHostPort, container: 8099, purpose: 'gateway WebSocket TLS' },
          ],
          startTimeoutSeconds: 600,
          // bin/api-manager.sh (run by the image's docker-entrypoint.sh) takes the heap from
          // JVM_MEM_OPTS; WSO2's 4.5 Helm chart sets -Xms2048m -Xmx2048m under a 3Gi limit.
          environment: { JVM_MEM_OPTS: wso2JvmMemoryOptions(resources.memory) },
          volumes: [{ kind: 'config', file: 'wso2-deployment', mountPath: `${wso2Home(settings.image)}/repository/conf/deployment.toml` }],
          // Ready, not just up: the readiness probe of WSO2's Helm chart.
          readiness: probe({ kind: 'http', scheme: 'https', port: managementPort, path: '/api/am/gateway/v2/server-startup-healthcheck' }, 180, 15, 20),
          security: hardened({ runAsUser: 802 }),
        },
      ],
      files: [{ id: 'wso2-deployment', path: sharedFilePaths.wso2Deployment }],
      urls: [
        { key: 'WSO2_PUBLISHER_URL', name: 'WSO2 publisher', url: `${management}/publisher` },
        { key: 'WSO2_DEVPORTAL_URL', name: 'WSO2 developer portal', url: `${management}/devportal` },
        { key: 'WSO2_ADMIN_URL', name: 'WSO2 admin portal', url: `${management}/admin` },
        { key: 'WSO2_GATEWAY_HTTPS_URL', name: 'WSO2 gateway (HTTPS)', url: `https://localhost:${settings.gatewayHttpsHostPort}` },
        { key: 'WSO2_GATEWAY_HTTP_URL', name: 'WSO2 gateway (HTTP)', url: `http://localhost:${settings.gatewayHttpHostPort}` },
        { key: 'WSO2_GATEWAY_WS_URL', name: 'WSO2 gateway (WebSocket)', url: `ws://localhost:${settings.gatewayWsHostPort}` },
        { key: 'WSO2_GATEWAY_WSS_URL', name: 'WSO2 gateway (WebSocket TLS)', url: `wss://localhost:${settings.gatewayWssHostPort}` },
      ],
    };
  },
};
