import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', ioredis: 'src/ioredis.ts', 'node-redis': 'src/node-redis.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
});
