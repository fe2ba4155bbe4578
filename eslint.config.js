// Typed lint for the sources; plain lint for tests, benches and scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const processModules = ['execa', 'node:child_process', 'child_process', 'dockerode'];
// Network, queue and temp-file modules a command reaches only through its context's clients.
const commandSideEffectModules = ['node:net', 'node:http', 'node:https', 'node:os', '@innover/kit/queue', 'bullmq', 'ioredis', 'kafkajs', 'pg'];
const commandMessage = "commands reach side effects only through ctx.client(name): add a client to cli/src/clients/clients.ts";

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/src/generated/**', 'coverage/**', '.innover/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/src/**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Side effects on processes and the engine live in cli/src/clients only.
      'no-restricted-imports': [
        'error',
        {
          paths: processModules.map((name) => ({
            name,
            message: 'spawn processes and talk to Docker only through cli/src/clients',
          })),
        },
      ],
      'no-restricted-syntax': [
        'error',
        ...processModules.map((name) => ({
          selector: `ImportExpression[source.value='${name}']`,
          message: 'spawn processes and talk to Docker only through cli/src/clients',
        })),
      ],
    },
  },
  {
    // `import { type A }` stays an import at run time under verbatimModuleSyntax (`import {} from`),
    // yet the import-cycle check (npm run lint:cycles) reads it as type-only: write `import type`.
    files: ['**/*.ts'],
    rules: { '@typescript-eslint/no-import-type-side-effects': 'error' },
  },
  {
    // Commands reach every side effect through ctx.client(name) (cli/src/clients/clients.ts).
    files: ['cli/src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...processModules, ...commandSideEffectModules].map((name) => ({ name, message: commandMessage, allowTypeImports: true })),
        },
      ],
      'no-restricted-syntax': [
        'error',
        ...[...processModules, ...commandSideEffectModules].map((name) => ({ selector: `ImportExpression[source.value='${name}']`, message: commandMessage })),
      ],
      'no-restricted-globals': ['error', { name: 'fetch', message: commandMessage }],
    },
  },
  {
    files: ['cli/src/clients/**/*.ts'],
    rules: { 'no-restricted-imports': 'off', 'no-restricted-syntax': 'off' },
  },
  {
    // innover dev's in-container runner: its job is to run the service's processes.
    files: ['services/kit/src/bin/dev-run.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.js', 'scripts/**/*.js', 'bin/**/*.js', '*.config.{js,ts}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
