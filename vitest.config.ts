import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests import the package by its published names (as users do), served from the sources.
    alias: [
      { find: /^azure-managed-redis-emulator\/ioredis$/, replacement: fileURLToPath(new URL('./src/ioredis.ts', import.meta.url)) },
      { find: /^azure-managed-redis-emulator\/node-redis$/, replacement: fileURLToPath(new URL('./src/node-redis.ts', import.meta.url)) },
      { find: /^azure-managed-redis-emulator$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
