import type { StackPlan } from '../plan/types.js';
import { hashHeader } from './header.js';

/** Docker's embedded DNS: names resolve per request, so a container missing from the profile is a 502, not a failed start. */
const dockerResolver = '127.0.0.11';

/**
 * The Nginx server block for one profile (mounted as /etc/nginx/conf.d/default.conf). Pure.
 * Routes only to containers the profile holds: `/svc/<name>/` to each service API, `/auth/` to
 * Keycloak when it is there.
 */
export function renderNginxConfig(plan: StackPlan): string {
  const apis = plan.workloads.filter((container) => container.role === 'api');
  const keycloak = plan.workloads.find((container) => container.name === 'keycloak');
  const lines: string[] = [
    `resolver ${dockerResolver} valid=10s ipv6=off;`,
    '',
    'server {',
    '  listen 80 default_server;',
    '  server_name _;',
    '',
    '  proxy_http_version 1.1;',
    '  proxy_set_header Host $host;',
    '  proxy_set_header X-Real-IP $remote_addr;',
    '  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '  proxy_set_header X-Forwarded-Proto $scheme;',
    '  proxy_set_header X-Forwarded-Host $host;',
    '  proxy_set_header X-Forwarded-Port $server_port;',
    '',
    '  location = /healthz {',
    '    default_type text/plain;',
    "    return 200 'ok\\n';",
    '  }',
    '',
    '  location = / {',
    '    default_type application/json;',
    `    return 200 '${JSON.stringify({ project: plan.project, profile: plan.profile, routes: [...apis.map((api) => `/svc/${api.name}/`), ...(keycloak ? ['/auth/'] : [])] })}\\n';`,
    '  }',
  ];
  for (const api of apis) {
    const port = api.ports.find((candidate) => candidate.purpose === 'API')?.container ?? 8000;
    lines.push(
      '',
      `  location /svc/${api.name}/ {`,
      `    set $innover_upstream ${api.name}:${port};`,
      `    rewrite ^/svc/${api.name}/(.*)$ /$1 break;`,
      '    proxy_pass http://$innover_upstream;',
      '  }',
    );
  }
  if (keycloak) {
    const port = keycloak.ports.find((candidate) => candidate.purpose === 'HTTP')?.container ?? 8080;
    lines.push(
      '',
      // `/auth` without the slash would fall through to a 404; send it where the routes are.
      '  location = /auth {',
      '    return 301 /auth/;',
      '  }',
      '',
      // Keycloak serves under /auth itself (KC_HTTP_RELATIVE_PATH), so the URI passes unchanged.
      '  location /auth/ {',
      `    set $innover_keycloak keycloak:${port};`,
      '    proxy_pass http://$innover_keycloak;',
      '    proxy_buffer_size 128k;',
      '    proxy_buffers 4 256k;',
      '  }',
    );
  }
  lines.push('}');
  return `${hashHeader}${lines.join('\n')}\n`;
}
