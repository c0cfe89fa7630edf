import { defineConfig } from 'tsup'

// One ESM and one CommonJS bundle with their declarations. `@ai-cost-profiler/core` is not
// published, so it is bundled in (core declares `sideEffects: false`, so the price catalogue the
// SDK never uses is dropped); zod, which core's event schema is built with, stays an ordinary
// dependency. The provider SDKs are never imported at runtime: clients are recognised by shape.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  platform: 'node',
  target: 'node20',
  noExternal: ['@ai-cost-profiler/core'],
  external: ['zod'],
})
