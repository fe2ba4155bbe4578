// Import cycles, checked by `npm run lint:cycles` (in `npm test`, so in CI and `npm run check`).
// A cycle counts when every edge of it runs at run time: static and dynamic `import()` alike;
// a type-only import (`import type`, erased by TypeScript) breaks a cycle.
/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'Layers call only downwards: pass what a lower layer needs as a parameter (or through the context) instead of importing upwards.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'resolvable',
      severity: 'error',
      comment: 'An import the checker cannot resolve hides its edges, and so any cycle through it.',
      from: {},
      to: { couldNotResolve: true, pathNot: '^node:' },
    },
  ],
  options: {
    // Sees `import type` before TypeScript erases it, so such edges are known as type-only.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['/dist/', '/src/generated/', '(^|/)node_modules/'] },
    enhancedResolveOptions: {
      // Workspace packages resolve to their sources (the `source` export condition).
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
      conditionNames: ['source', 'import', 'node', 'default'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
