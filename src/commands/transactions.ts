/**
 * Transaction commands: MULTI, EXEC, DISCARD, WATCH, UNWATCH. The queueing itself happens in
 * dispatch (a connection in MULTI goes through `queueInMulti`); the semantics live in
 * src/transactions.ts.
 */
import { defineCommand, type CommandSpec } from './command.js';
import { beginTransaction, discardTransaction, execTransaction, unwatchAll, watchKeys } from '../transactions.js';
import { OK } from '../protocol/reply.js';

const multi = defineCommand({
  name: 'multi',
  arity: 1,
  flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
  exec(ctx) {
    return beginTransaction(ctx.client);
  },
});

const exec = defineCommand({
  name: 'exec',
  arity: 1,
  flags: ['noscript', 'loading', 'stale', 'skip_slowlog'],
  replicatesAsUnit: true,
  exec(ctx) {
    return execTransaction(ctx.cache, ctx.client, ctx.now);
  },
});

const discard = defineCommand({
  name: 'discard',
  arity: 1,
  flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
  exec(ctx) {
    return discardTransaction(ctx.cache, ctx.client);
  },
});

const watch = defineCommand({
  name: 'watch',
  arity: -2,
  flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
  keys: { first: 1, last: -1, step: 1 },
  exec(ctx, argv) {
    return watchKeys(ctx.cache, ctx.client, argv.slice(1), ctx.db, ctx.now);
  },
});

const unwatch = defineCommand({
  name: 'unwatch',
  arity: 1,
  flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
  exec(ctx) {
    unwatchAll(ctx.cache, ctx.client);
    return OK;
  },
});

export const transactionCommands: readonly CommandSpec[] = [multi, exec, discard, watch, unwatch];
