/**
 * PLACEHOLDER owned by the client helper: `azure-managed-redis-emulator/ioredis`, a drop-in for
 * ioredis's `Redis` (and `Redis.Cluster`).
 */
export {};
