import { describe, expect, it } from 'vitest';
import { renderEnvExample } from '../../src/env/example.js';
import { fillSecrets } from '../../src/env/fresh-secrets.js';
import { validateDotenv } from '../../src/env/load.js';
import { parseDotenv } from '../../src/env/parse.js';
import { generatedSecretKeys, secretKeys } from '../../src/env/schema.js';
import { defaultTopology } from '../../src/topology/default-topology.js';
import { topologySchema } from '../../src/topology/schema.js';

const topology = topologySchema.parse(defaultTopology);

let counter = 0;
const fakeRandom = () => `random-secret-value-${++counter}`;
const goodEnv = () => fillSecrets(renderEnvExample(topology), generatedSecretKeys(topology), () => 'a-long-random-secret-0123456789').text;
const withLine = (key: string, value: string | undefined) =>
  goodEnv()
    .split('\n')
    .filter((line) => !line.startsWith(`${key}=`))
    .concat(value === undefined ? [] : [`${key}=${value}`])
    .join('\n');

describe('parseDotenv', () => {
  it('reads KEY=value, export, quotes and comments', () => {
    expect(parseDotenv('# c\nA=1\nexport B = two\nC="x # y"\nD=\'q\'\nE=plain # note\n\n')).toEqual({
      values: { A: '1', B: 'two', C: 'x # y', D: 'q', E: 'plain' },
      problems: [],
    });
  });

  it('names a line it cannot read', () => {
    expect(parseDotenv('A=1\nnot a pair\n').problems).toEqual(['.env line 2: expected KEY=value: fix or remove the line']);
  });
});

describe('validateDotenv: one line per problem, naming the key and the fix', () => {
  it('accepts what innover init writes', () => {
    expect(validateDotenv(goodEnv(), topology)).toMatchObject({ problems: [] });
    expect(validateDotenv(goodEnv(), topology).value!.KEYCLOAK_URL).toBe('http://localhost:8080/auth');
  });

  it.each([
    ['a missing key', withLine('REDIS_PASSWORD', undefined), '.env: REDIS_PASSWORD: missing: run `innover init` or add it to .env'],
    ['a malformed URL', withLine('KEYCLOAK_URL', 'localhost:8080'), '.env: KEYCLOAK_URL: not a URL: use e.g. http://localhost:8080'],
    [
      'a Keycloak URL from before /auth',
      withLine('KEYCLOAK_URL', 'http://localhost:8080'),
      '.env: KEYCLOAK_URL: Keycloak is served under /auth: use e.g. http://localhost:8080/auth (.env.example has the value for this topology)',
    ],
    [
      'an internal Keycloak URL from before /auth',
      withLine('KEYCLOAK_INTERNAL_URL', 'http://keycloak:8080'),
      '.env: KEYCLOAK_INTERNAL_URL: Keycloak is served under /auth: use e.g. http://keycloak:8080/auth (.env.example has the value for this topology)',
    ],
    ['a changeme placeholder', withLine('WSO2_AM_CLIENT_SECRET', 'changeme'), '.env: WSO2_AM_CLIENT_SECRET: still a placeholder: set a random value (innover init generates one)'],
    ['a <...> placeholder', withLine('WSO2_AM_CLIENT_SECRET', '<your-secret-here>'), '.env: WSO2_AM_CLIENT_SECRET: still a placeholder: set a random value (innover init generates one)'],
    ['an empty secret', withLine('SMOKE_CLIENT_SECRET', ''), '.env: SMOKE_CLIENT_SECRET: empty: set a random value (innover init generates one)'],
    ['a short secret', withLine('POSTGRES_PASSWORD', 'abc123'), '.env: POSTGRES_PASSWORD: too short: use at least 12 random characters'],
    ['a secret that would break a URL', withLine('REDIS_PASSWORD', 'se/cr@et#0123456'), ".env: REDIS_PASSWORD: has characters URLs would need encoded: use only letters, digits and . _ ~ - (innover init generates such values)"],
    ['a malformed line', `${goodEnv()}\noops\n`, expect.stringMatching(/^\.env line \d+: expected KEY=value: fix or remove the line$/)],
  ])('%s', (_, text, message) => {
    const result = validateDotenv(text, topology);
    expect(result.value).toBeUndefined();
    expect(result.problems).toEqual([message]);
  });

  it('lists every bad key, one line each', () => {
    const text = renderEnvExample(topology);
    const problems = validateDotenv(text, topology).problems;
    expect(problems).toHaveLength(generatedSecretKeys(topology).size);
    for (const key of generatedSecretKeys(topology)) expect(problems).toContain(`.env: ${key}: still a placeholder: set a random value (innover init generates one)`);
  });
});

describe("the client secrets of calling services (services[].calls)", () => {
  it('are placeholders in .env.example, generated and secret, one per caller in topology order', () => {
    expect(renderEnvExample(topology)).toMatch(/^PAYMENT_CLIENT_SECRET=changeme\nWALLET_CLIENT_SECRET=changeme$/m);
    for (const key of ['PAYMENT_CLIENT_SECRET', 'WALLET_CLIENT_SECRET']) {
      expect(generatedSecretKeys(topology).has(key)).toBe(true);
      expect(secretKeys(topology).has(key)).toBe(true);
    }
    const { text, filled } = fillSecrets(renderEnvExample(topology), generatedSecretKeys(topology), fakeRandom);
    expect(filled).toEqual(expect.arrayContaining(['PAYMENT_CLIENT_SECRET', 'WALLET_CLIENT_SECRET']));
    expect(validateDotenv(text, topology).value!['PAYMENT_CLIENT_SECRET']).toMatch(/^random-secret-value-\d+$/);
  });

  it('are required as every secret is, with the key and the fix', () => {
    expect(validateDotenv(withLine('WALLET_CLIENT_SECRET', undefined), topology).problems).toEqual(['.env: WALLET_CLIENT_SECRET: missing: run `innover init` or add it to .env']);
    expect(validateDotenv(withLine('PAYMENT_CLIENT_SECRET', 'changeme'), topology).problems).toEqual([
      '.env: PAYMENT_CLIENT_SECRET: still a placeholder: set a random value (innover init generates one)',
    ]);
  });

  it('follow the topology: a new caller needs its key, a topology without calls none', () => {
    const gained = topologySchema.parse({
      ...defaultTopology,
      services: [...defaultTopology.services, { name: 'rule-engine-2', hostPort: 8107, calls: [{ service: 'ledger', access: 'read' }] }],
    });
    expect(generatedSecretKeys(gained).has('RULE_ENGINE_2_CLIENT_SECRET')).toBe(true);
    expect(validateDotenv(goodEnv(), gained).problems).toEqual(['.env: RULE_ENGINE_2_CLIENT_SECRET: missing: run `innover init` or add it to .env']);
    const none = topologySchema.parse({ ...defaultTopology, services: defaultTopology.services.map(({ name, hostPort }) => ({ name, hostPort })) });
    expect(renderEnvExample(none)).not.toMatch(/^PAYMENT_CLIENT_SECRET=/m);
    expect(validateDotenv(withLine('PAYMENT_CLIENT_SECRET', undefined).replace(/^WALLET_CLIENT_SECRET=.*$/m, ''), none).problems).toEqual([]);
  });
});

describe('COCKROACH_LICENSE', () => {
  it('is empty in .env.example, allowed empty or absent, and no placeholder or missing secret', () => {
    expect(renderEnvExample(topology)).toMatch(/^COCKROACH_LICENSE=$/m);
    expect(validateDotenv(goodEnv(), topology)).toMatchObject({ problems: [], value: { COCKROACH_LICENSE: '' } });
    expect(validateDotenv(withLine('COCKROACH_LICENSE', undefined), topology)).toMatchObject({ problems: [] });
    expect(validateDotenv(withLine('COCKROACH_LICENSE', 'crl-0-EJL04ukFGAEiI0NvY2tyb2FjaCBMYWJz+/0'), topology)).toMatchObject({ problems: [] });
  });

  it('is never generated, but masked like a secret', () => {
    expect(generatedSecretKeys(topology).has('COCKROACH_LICENSE')).toBe(false);
    expect(secretKeys(topology).has('COCKROACH_LICENSE')).toBe(true);
    expect(goodEnv()).toMatch(/^COCKROACH_LICENSE=$/m);
  });

  it.each([['changeme'], ['not-a-licence'], ["crl-0-abc'; DROP TABLE x"]])('refuses %j in one line with the fix', (value) => {
    expect(validateDotenv(withLine('COCKROACH_LICENSE', value), topology).problems).toEqual([
      '.env: COCKROACH_LICENSE: not a CockroachDB licence key: paste the whole key (it starts with crl-0-), or leave it empty for none',
    ]);
  });
});

describe('fillSecrets', () => {
  it('gives every secret a fresh value and keeps everything else', () => {
    const example = renderEnvExample(topology);
    const { text, filled } = fillSecrets(example, generatedSecretKeys(topology), fakeRandom);
    expect(new Set(filled)).toEqual(new Set(generatedSecretKeys(topology)));
    expect(text).not.toMatch(/changeme/);
    expect(text.split('\n').length).toBe(example.split('\n').length);
    expect(text).toContain('KEYCLOAK_URL=http://localhost:8080');
    expect(text).toContain('WSO2_ADMIN_USER=admin');
  });

  it('takes the endpoints from the host ports the topology publishes', () => {
    const { keycloak, wso2 } = defaultTopology.infrastructure;
    const moved = topologySchema.parse({
      ...defaultTopology,
      infrastructure: {
        ...defaultTopology.infrastructure,
        keycloak: { ...keycloak, hostPort: 18080, managementHostPort: 19000 },
        wso2: { ...wso2, managementHostPort: 19443, gatewayHttpsHostPort: 18243 },
      },
    });
    const { value } = validateDotenv(fillSecrets(renderEnvExample(moved), generatedSecretKeys(topology), fakeRandom).text, topology);
    expect(value).toMatchObject({
      KEYCLOAK_URL: 'http://localhost:18080/auth',
      KEYCLOAK_MANAGEMENT_URL: 'http://localhost:19000/auth',
      KEYCLOAK_INTERNAL_URL: 'http://keycloak:8080/auth',
      WSO2_URL: 'https://localhost:19443',
      WSO2_GATEWAY_URL: 'https://localhost:18243',
    });
  });

  it('draws distinct URL-safe secrets by default', () => {
    const { text } = fillSecrets(renderEnvExample(topology), generatedSecretKeys(topology));
    const values = [...text.matchAll(/^(\w+)=(.*)$/gm)].filter((match) => generatedSecretKeys(topology).has(match[1] as never)).map((match) => match[2]!);
    expect(values).toHaveLength(generatedSecretKeys(topology).size);
    expect(new Set(values).size).toBe(values.length);
    for (const value of values) expect(value).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
