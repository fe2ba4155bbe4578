import { Alias, Document, Pair, Scalar, YAMLMap, isScalar, visit } from 'yaml';
import { planStack } from '../../plan/plan-stack.js';
import type { StackPlan } from '../../plan/types.js';
import { generatedHeader } from '../../render/header.js';
import { resourceCategories, type ResourceCategory, type Resources, type Topology } from '../../topology/schema.js';
import { composePlan, type ContainerPlan, type PortPlan } from './compose-plan.js';

/** The extension key (and YAML anchor) holding a resource category's limits. */
export function deployAnchor(category: ResourceCategory): `x-${ResourceCategory}-deploy` {
  return `x-${category}-deploy`;
}

export interface ComposeDeploy {
  resources: { limits: { cpus: number; memory: string } };
}

export interface ComposeHealthcheck {
  test: string[];
  interval: string;
  timeout: string;
  retries: number;
  start_period: string;
  start_interval: string;
}

export interface ComposeService {
  image: string;
  build?: { context: string; dockerfile: string; args: Record<string, string> };
  pull_policy?: 'never';
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  /** Only for a fixed address on the default network. */
  networks?: { default: { ipv4_address: string } };
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: ComposeHealthcheck;
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  read_only?: boolean;
  tmpfs?: string[];
  restart: string;
  deploy: ComposeDeploy;
}

/** A compose file as plain data: what `yaml.parse(text, {merge: true})` of the written file gives. */
export interface ComposeFile {
  /** The project name, so a plain `docker compose` acts on the same stack as innover. */
  name: string;
  'x-default-deploy': ComposeDeploy;
  'x-worker-deploy': ComposeDeploy;
  'x-support-deploy': ComposeDeploy;
  'x-db-deploy': ComposeDeploy;
  services: Record<string, ComposeService>;
  volumes?: Record<string, Record<string, never>>;
  /** The default network with a fixed subnet, when the plan gives a container a fixed address. */
  networks?: { default: { ipam: { config: { subnet: string; ip_range: string; gateway: string }[] } } };
}

function deploy(resources: Resources): ComposeDeploy {
  return { resources: { limits: { cpus: resources.cpus, memory: resources.memory } } };
}

function portText(port: PortPlan): string {
  return `${port.hostIp ? `${port.hostIp}:` : ''}${port.host}:${port.container}`;
}

function composeService(container: ContainerPlan): ComposeService {
  const { runtime } = container;
  // Key order here is the order in the file.
  return {
    image: container.image,
    ...(runtime.build ? { build: { ...runtime.build, args: { ...runtime.build.args } } } : {}),
    ...(runtime.pullPolicy ? { pull_policy: runtime.pullPolicy } : {}),
    ...(runtime.entrypoint ? { entrypoint: [...runtime.entrypoint] } : {}),
    ...(runtime.command ? { command: [...runtime.command] } : {}),
    ...(Object.keys(container.environment).length ? { environment: { ...container.environment } } : {}),
    ...(container.ports.length ? { ports: container.ports.map(portText) } : {}),
    ...(runtime.volumes.length ? { volumes: [...runtime.volumes] } : {}),
    ...(runtime.ipv4Address ? { networks: { default: { ipv4_address: runtime.ipv4Address } } } : {}),
    ...(container.dependsOn.length
      ? { depends_on: Object.fromEntries(container.dependsOn.map((dependency) => [dependency.name, { condition: dependency.condition }])) }
      : {}),
    ...(runtime.healthcheck
      ? {
          healthcheck: {
            test: [...runtime.healthcheck.test],
            interval: runtime.healthcheck.interval,
            timeout: runtime.healthcheck.timeout,
            retries: runtime.healthcheck.retries,
            start_period: runtime.healthcheck.startPeriod,
            start_interval: runtime.healthcheck.startInterval,
          },
        }
      : {}),
    ...(runtime.capDrop ? { cap_drop: [...runtime.capDrop] } : {}),
    ...(runtime.capAdd ? { cap_add: [...runtime.capAdd] } : {}),
    ...(runtime.securityOpt ? { security_opt: [...runtime.securityOpt] } : {}),
    ...(runtime.readOnly ? { read_only: true } : {}),
    ...(runtime.tmpfs ? { tmpfs: [...runtime.tmpfs] } : {}),
    restart: runtime.restart,
    deploy: deploy(container.resources),
  };
}

/**
 * The compose file of a plan, as plain data. Pure. Checks its own references: a dependency on a
 * container the plan lacks, or on itself, is a bug in the plan and throws.
 */
export function renderCompose(neutral: StackPlan): ComposeFile {
  const plan = composePlan(neutral);
  const names = new Set(plan.containers.map((container) => container.name));
  for (const container of plan.containers) {
    for (const dependency of container.dependsOn) {
      if (dependency.name === container.name) throw new Error(`${container.name} depends on itself`);
      if (!names.has(dependency.name)) throw new Error(`${container.name} depends on ${dependency.name}, which profile ${plan.profile} lacks`);
    }
  }
  return {
    name: plan.project,
    'x-default-deploy': deploy(plan.resources.default),
    'x-worker-deploy': deploy(plan.resources.worker),
    'x-support-deploy': deploy(plan.resources.support),
    'x-db-deploy': deploy(plan.resources.db),
    services: Object.fromEntries(plan.containers.map((container) => [container.name, composeService(container)])),
    ...(plan.volumes.length ? { volumes: Object.fromEntries(plan.volumes.map((volume) => [volume, {}])) } : {}),
    ...(plan.network
      ? { networks: { default: { ipam: { config: [{ subnet: plan.network.subnet, ip_range: plan.network.ipRange, gateway: plan.network.gateway }] } } } }
      : {}),
  };
}

/**
 * Writes a compose object as YAML with the resource categories as real anchors: a container on
 * its category's limits gets `deploy: *x-<category>-deploy`; one with an override gets a merge
 * of the anchor with its own limits. Pinned options, so the bytes are stable.
 */
export function stringifyCompose(compose: ComposeFile, plan: StackPlan): string {
  const document = new Document(compose, { version: '1.2' });
  const anchors = new Map<ResourceCategory, YAMLMap>();
  for (const category of resourceCategories) {
    const node = document.get(deployAnchor(category), true) as YAMLMap;
    node.anchor = deployAnchor(category);
    anchors.set(category, node);
  }
  for (const container of plan.workloads) {
    const anchor = anchors.get(container.category)!;
    const alias = new Alias(anchor.anchor!);
    if (container.resourcesOverridden) {
      const merged = new YAMLMap();
      merged.items.push(new Pair(new Scalar('<<'), alias));
      merged.items.push(document.createPair('resources', compose.services[container.name]!.deploy.resources));
      document.setIn(['services', container.name, 'deploy'], merged);
    } else {
      document.setIn(['services', container.name, 'deploy'], alias);
    }
  }
  // Quote port mappings: YAML 1.1 readers take `80:80` for a base-60 number.
  visit(document, {
    // `no` and friends are booleans to YAML 1.1 readers; Compose wants the string.
    Scalar(_, scalar) {
      if (typeof scalar.value === 'string' && /^(y|yes|n|no|on|off|true|false)$/i.test(scalar.value)) {
        scalar.type = Scalar.QUOTE_DOUBLE;
      }
    },
    Seq(_, seq, path) {
      const parent = path[path.length - 1];
      if (parent instanceof Pair && isScalar(parent.key) && parent.key.value === 'ports') {
        for (const item of seq.items) if (isScalar(item)) item.type = Scalar.QUOTE_DOUBLE;
      }
    },
  });
  document.commentBefore = ` ${generatedHeader}`;
  return document.toString({ lineWidth: 0, indent: 2, indentSeq: true, singleQuote: false });
}

/** docker-compose.yml text for one profile of a topology. */
export function renderComposeFile(topology: Topology, profileName: string): string {
  const plan = planStack(topology, profileName);
  return stringifyCompose(renderCompose(plan), plan);
}
