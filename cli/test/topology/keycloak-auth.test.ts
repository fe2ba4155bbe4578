import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderEnvExample } from '../../src/env/example.js';
import { renderComposeFile, type ComposeFile } from '../../src/targets/compose/render.js';
import { renderNginxConfig } from '../../src/render/nginx.js';
import { stackUrls } from '../../src/plan/stack-urls.js';
import { fixedAddressNetwork, isNetworkAddress } from '../../src/plan/network.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { validateTopology } from '../../src/topology/validate.js';
import { defaultStack, topologyFrom } from './fixtures.js';
import { composePlan } from '../../src/targets/compose/compose-plan.js';

const containerOf = (profile: string, name: string, topology = defaultStack()) =>
  composePlan(planStack(topology, profile)).containers.find((container) => container.name === name)!;

describe('Keycloak under /auth', () => {
  it('serves under /auth with the public URL through Nginx and the admin console on its own port', () => {
    const keycloak = containerOf('full', 'keycloak');
    expect(keycloak.environment).toMatchObject({
      KC_HTTP_RELATIVE_PATH: '/auth',
      KC_HOSTNAME: 'http://localhost/auth',
      KC_HOSTNAME_ADMIN: 'http://localhost:8080/auth',
      KC_PROXY_HEADERS: 'xforwarded',
      KC_PROXY_TRUSTED_ADDRESSES: '172.16.93.2',
    });
    // The management interface inherits http-relative-path, so health is under /auth too.
    expect(keycloak.runtime.healthcheck!.test.join(' ')).toContain("printf 'GET /auth/health/ready HTTP/1.0");
    const moved = containerOf('full', 'keycloak', topologyFrom({ infrastructure: { nginx: { hostPort: 8088 }, keycloak: { hostPort: 18080 } } }));
    expect(moved.environment['KC_HOSTNAME']).toBe('http://localhost:8088/auth');
    expect(moved.environment['KC_HOSTNAME_ADMIN']).toBe('http://localhost:18080/auth');
  });

  it('gives the services the public issuer and the in-network JWKS under /auth', () => {
    expect(containerOf('full', 'payment').environment).toMatchObject({
      OIDC_ISSUER_URL: 'http://localhost/auth/realms/innover',
      OIDC_JWKS_URL: 'http://keycloak:8080/auth/realms/innover/protocol/openid-connect/certs',
    });
    const custom = containerOf('full', 'payment', topologyFrom({ infrastructure: { keycloak: { hostname: 'https://id.example.test/auth' } } }));
    expect(custom.environment['OIDC_ISSUER_URL']).toBe('https://id.example.test/auth/realms/innover');
  });

  it('Nginx passes /auth/ to Keycloak with the prefix kept', () => {
    const conf = renderNginxConfig(planStack(defaultStack(), 'full'));
    expect(conf).toContain(['  location /auth/ {', '    set $innover_keycloak keycloak:8080;', '    proxy_pass http://$innover_keycloak;'].join('\n'));
    expect(conf).not.toContain('rewrite ^/auth/');
    expect(conf).toContain('  location = /auth {\n    return 301 /auth/;\n  }');
  });

  it('.env.example and urls name every endpoint under /auth', () => {
    const example = renderEnvExample(defaultStack());
    expect(example).toContain('KEYCLOAK_URL=http://localhost:8080/auth\n');
    expect(example).toContain('KEYCLOAK_MANAGEMENT_URL=http://localhost:9000/auth\n');
    expect(example).toContain('KEYCLOAK_INTERNAL_URL=http://keycloak:8080/auth\n');
    const urls = stackUrls(defaultStack(), planStack(defaultStack(), 'identity'));
    expect(urls.filter((entry) => entry.key.startsWith('KEYCLOAK')).map((entry) => [entry.key, entry.url])).toEqual([
      ['KEYCLOAK_PUBLIC_URL', 'http://localhost/auth'],
      ['KEYCLOAK_URL', 'http://localhost:8080/auth'],
      ['KEYCLOAK_ADMIN_CONSOLE_URL', 'http://localhost:8080/auth/admin/'],
      ['KEYCLOAK_REALM_URL', 'http://localhost/auth/realms/innover'],
      ['KEYCLOAK_MANAGEMENT_URL', 'http://localhost:9000/auth'],
    ]);
  });
});

describe('Keycloak trusts proxy headers from Nginx only', () => {
  it("gives Nginx a fixed address outside the range Docker hands out, on a fixed subnet", () => {
    const compose = parse(renderComposeFile(defaultStack(), 'full'), { merge: true }) as ComposeFile;
    expect(compose.networks).toEqual({ default: { ipam: { config: [{ subnet: '172.16.93.0/24', ip_range: '172.16.93.128/25', gateway: '172.16.93.1' }] } } });
    expect(compose.services['nginx']!.networks).toEqual({ default: { ipv4_address: '172.16.93.2' } });
    const fixed = Object.entries(compose.services).filter(([, service]) => service.networks).map(([name]) => name);
    expect(fixed).toEqual(['nginx']);
    expect(compose.services['keycloak']!.environment!['KC_PROXY_TRUSTED_ADDRESSES']).toBe('172.16.93.2');
  });

  it('derives the addresses from network.subnet', () => {
    expect(fixedAddressNetwork('10.77.0.0/16')).toEqual({ subnet: '10.77.0.0/16', ipRange: '10.77.128.0/17', gateway: '10.77.0.1', fixedAddress: '10.77.0.2' });
    expect(fixedAddressNetwork('192.0.2.64/26')).toEqual({ subnet: '192.0.2.64/26', ipRange: '192.0.2.96/27', gateway: '192.0.2.65', fixedAddress: '192.0.2.66' });
    const moved = containerOf('full', 'keycloak', topologyFrom({ network: { subnet: '10.77.0.0/16' } }));
    expect(moved.environment['KC_PROXY_TRUSTED_ADDRESSES']).toBe('10.77.0.2');
    expect(isNetworkAddress('172.16.93.0/24')).toBe(true);
    expect(isNetworkAddress('172.16.93.5/24')).toBe(false);
  });

  it('leaves profiles without Keycloak on the plain default network', () => {
    for (const profile of ['lite', 'core', 'observability']) {
      const compose = parse(renderComposeFile(defaultStack(), profile), { merge: true }) as ComposeFile;
      expect(compose.networks, profile).toBeUndefined();
      expect(Object.values(compose.services).some((service) => service.networks), profile).toBe(false);
    }
    // Nginx still autotunes its workers to its CPU limit.
    expect(containerOf('lite', 'nginx').environment).toEqual({ NGINX_ENTRYPOINT_WORKER_PROCESSES_AUTOTUNE: '1' });
  });
});

describe('topology rules for Keycloak', () => {
  it('refuses a profile with Keycloak and without Nginx, in one line with the fix', () => {
    const result = validateTopology({ profiles: { auth: { components: ['keycloak'] } } });
    expect(result.errors).toEqual(["profiles.auth.components: 'keycloak' needs 'nginx' (Keycloak's public URL is /auth through Nginx): add nginx"]);
    expect(validateTopology({ profiles: { auth: { components: ['keycloak', 'nginx'] } } }).errors).toEqual([]);
  });

  it('refuses a subnet that is not a network address or not IPv4 CIDR', () => {
    expect(validateTopology({ network: { subnet: '172.16.93.5/24' } }).errors).toEqual([
      'network.subnet: 172.16.93.5/24 has host bits set: use its network address (the host bits zero)',
    ]);
    expect(validateTopology({ network: { subnet: '172.16.93.0/30' } }).errors).toEqual([
      "network.subnet: use an IPv4 subnet from /16 to /26, such as '172.16.93.0/24'",
    ]);
  });
});
