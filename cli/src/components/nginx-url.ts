import type { Topology } from '../topology/schema.js';

/** `http://localhost`, or `http://localhost:<port>` when Nginx is not on 80. */
export function nginxPublicUrl(topology: Topology): string {
  const port = topology.infrastructure.nginx.hostPort;
  return port === 80 ? 'http://localhost' : `http://localhost:${port}`;
}
