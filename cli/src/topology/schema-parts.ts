import { z } from 'zod';

/**
 * The building blocks of the topology schema, shared by schema.ts and the component modules'
 * slices (cli/src/components). No imports from either, so both can use them.
 */

export const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'use lowercase letters, digits and dashes, starting with a letter');
export const port = z.number().int().min(1).max(65535);
export const image = z.string().min(1);
/** An event's Kafka topic, `<service>.<event>.v<N>` (kit topicName). */
export const eventTopic = z
  .string()
  .regex(/^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$/, "use an event topic such as 'ledger.transfer-changed.v1'");

/** Docker memory size such as `256m` or `1g`. */
export const memorySize = z
  .string()
  .regex(/^\d+(\.\d+)?[kmg]$/i, "use a Docker memory size such as '256m' or '1g'");

export const resourcesSchema = z.strictObject({
  cpus: z.number().positive().max(64).describe('CPU limit, e.g. 0.5'),
  memory: memorySize.describe('memory limit, e.g. 256m'),
});
export type Resources = z.infer<typeof resourcesSchema>;

/** The four resource categories, rendered as x-<category>-deploy anchors. */
export const resourceCategories = ['default', 'worker', 'support', 'db'] as const;
export type ResourceCategory = (typeof resourceCategories)[number];

export const databaseEngines = ['cockroach', 'postgres'] as const;
export type DatabaseEngine = (typeof databaseEngines)[number];

/** An infrastructure component's settings: its image, an optional resource override, and its own fields. */
export const infra = <T extends z.ZodRawShape>(shape: T) => z.strictObject({ image, resources: resourcesSchema.optional(), ...shape });
