import { z } from 'zod';
import { topologySchema } from '../topology/schema.js';
import { generatedHeader } from './header.js';

/** innover.schema.json: the JSON Schema of innover.yaml, for editors. Pure. */
export function renderTopologySchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(topologySchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { $comment: generatedHeader, title: 'innover topology (innover.yaml)', ...schema };
}
