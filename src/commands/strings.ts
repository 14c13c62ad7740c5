import { defineCommand, type CommandSpec } from './command.js';
import { keyName } from '../keyspace/bytes.js';
import { typeOf } from '../keyspace/keyspace.js';
import { WRONGTYPE } from '../protocol/errors.js';

const get = defineCommand({
  name: 'get',
  arity: 2,
  flags: ['readonly', 'fast'],
  keys: { first: 1, last: 1, step: 1 },
  exec(ctx, argv) {
    const value = ctx.db.get(keyName(argv[1]), ctx.now);
    if (value === undefined) return null;
    if (typeof value !== 'string' && !Buffer.isBuffer(value)) throw WRONGTYPE;
    return value;
  },
});

export const stringCommands: CommandSpec[] = [get];
void typeOf;
