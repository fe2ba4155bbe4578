import type { StackPlan, StackUrl } from './types.js';
import type { Topology } from '../topology/schema.js';

export type { StackUrl } from './types.js';

/** The URLs of the parts of a profile (pure), in the order the table shows them: each component module's, in module order. */
export function stackUrls(_topology: Topology, plan: StackPlan): StackUrl[] {
  return [...plan.urls];
}

/** `KEY=url` lines for `innover urls --format env`. */
export function urlsAsEnv(urls: readonly StackUrl[]): string {
  return urls.map((entry) => `${entry.key}=${entry.url}`).join('\n');
}
