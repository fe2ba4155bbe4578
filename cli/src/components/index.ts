import { cockroachdb } from './cockroachdb.js';
import { collector } from './collector.js';
import { jaeger } from './jaeger.js';
import { keycloak } from './keycloak.js';
import type { ComponentModule } from './module.js';
import { nginx } from './nginx.js';
import { postgresql } from './postgresql.js';
import { redis } from './redis.js';
import { redpanda } from './redpanda.js';
import { services } from './services.js';
import { wso2 } from './wso2.js';

/**
 * Every component module, in plan order: workloads come in this order (then sorted so each
 * follows what it depends on), and the services' environment takes the modules' contributions
 * in this order. A new component is one module plus one entry here.
 */
export const defaultModules: readonly ComponentModule[] = [cockroachdb, postgresql, redis, redpanda, jaeger, collector, keycloak, services, nginx, wso2];

export type { ComponentModule } from './module.js';
