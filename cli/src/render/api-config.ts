import type { Topology } from '../topology/schema.js';

/**
 * Renders wso2/api-config.yaml. The file belongs to the user: given the existing text, it returns
 * that text with only the APIs of new services added (or the full default file when absent).
 * Placeholder until the gateway work lands.
 */
export function renderApiConfig(topology: Topology, existing: string | undefined): string {
  if (existing !== undefined) return existing;
  return `apis:\n${topology.services.map((service) => `  - name: ${service.name}\n`).join('')}`;
}
