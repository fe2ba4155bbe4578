import type { Topology } from '../topology/schema.js';

/**
 * Where a profile's files live. The default profile's files are committed at their usual paths;
 * any other profile renders into the git-ignored `.innover/` folder. Paths are relative to the
 * project root, which is also Compose's `--project-directory`.
 */
export function profileFilePaths(
  topology: Topology,
  profileName: string,
): { compose: string; nginx: string; collector: string; jaeger: string } {
  if (profileName === topology.defaultProfile) {
    return { compose: 'docker-compose.yml', nginx: 'nginx/innover.conf', collector: 'otel/collector.yaml', jaeger: 'otel/jaeger.yaml' };
  }
  return {
    compose: `.innover/docker-compose.${profileName}.yml`,
    nginx: `.innover/nginx.${profileName}.conf`,
    collector: `.innover/collector.${profileName}.yaml`,
    jaeger: `.innover/jaeger.${profileName}.yaml`,
  };
}

/** Paths of the files every profile shares, relative to the project root. */
export const sharedFilePaths = {
  realm: 'keycloak/realm-export.json',
  wso2Deployment: 'wso2/deployment.toml',
  cockroachBootstrap: 'database/cockroach-bootstrap.sql',
  postgresInit: 'database/postgres-init.sh',
  serviceDockerfile: 'templates/service.Dockerfile',
} as const;
