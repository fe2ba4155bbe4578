/**
 * Where `innover load payments` sends its calls, derived from the topology's plan and `.env`: pure
 * data, so tests check the URLs without a stack. `direct` is each service's published port on
 * 127.0.0.1 (as smoke's http checks reach them); `gateway` is the WSO2 gateway plus each API's
 * context. A token of the `innover-smoke` client goes with every call through the gateway, and
 * with direct calls when the profile runs Keycloak (the services then check tokens).
 */
import { UserError } from '../command.js';
import { gatewayComponents, smokeClientId } from '../smoke/smoke-plan.js';
import { keycloakPublicUrl } from '../components/keycloak.js';
import { serviceApiContext } from '../components/services-names.js';
import type { Topology } from '../topology/schema.js';
import type { StackPlan } from '../plan/types.js';
import { flowServices } from './flow-client.js';
import type { FlowService } from './flow-client.js';
import type { LoadVia } from './load-args.js';

export interface LoadTarget {
  via: LoadVia;
  baseUrls: Record<FlowService, string>;
  /** The client-credentials token calls carry; absent when the services take calls without one. */
  token?: { issuerUrl: string; clientId: string };
}

const host = '127.0.0.1';

export function planLoadTarget(input: { topology: Topology; plan: StackPlan; via: LoadVia; gatewayUrl: string }): LoadTarget {
  const { topology, plan, via } = input;
  const components = new Set(plan.components);
  if (!components.has('services')) throw new UserError(`profile '${plan.profile}' runs no services: pass --profile with one that does (e.g. lite)`);
  const missing = flowServices.filter((name) => !topology.services.some((service) => service.name === name));
  if (missing.length > 0) throw new UserError(`innover.yaml has no service ${missing.join(', ')}: the payment flow needs all six (profile, payment, ledger, wallet, rule-engine, forex)`);
  const service = (name: FlowService) => topology.services.find((candidate) => candidate.name === name) as Topology['services'][number];
  const issuer = () => ({ issuerUrl: `${keycloakPublicUrl(topology)}/realms/${topology.infrastructure.keycloak.realm}`, clientId: smokeClientId });

  if (via === 'gateway') {
    const absent = gatewayComponents.filter((component) => !components.has(component));
    if (absent.length > 0) throw new UserError(`--via gateway: profile '${plan.profile}' has no ${absent.join(', ')}: use --via direct, or a profile with the gateway (e.g. --profile full)`);
    const gateway = input.gatewayUrl.replace(/\/+$/, '');
    const baseUrls = Object.fromEntries(flowServices.map((name) => [name, `${gateway}${serviceApiContext(service(name))}`])) as Record<FlowService, string>;
    return { via, baseUrls, token: issuer() };
  }
  const baseUrls = Object.fromEntries(flowServices.map((name) => [name, `http://${host}:${service(name).hostPort}`])) as Record<FlowService, string>;
  // As the stack decides (plan-stack's serviceEnvironment): Keycloak in the profile turns the APIs' OIDC on.
  return components.has('keycloak') ? { via, baseUrls, token: issuer() } : { via, baseUrls };
}
