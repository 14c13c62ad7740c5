/**
 * Stand-in values for wrong-type checks that must not depend on the command family under test.
 */
import { RedisObject } from '../../src/keyspace/keyspace.js';

/** A list-like value (TYPE `list`) that no list command built. */
export class FakeList extends RedisObject {
  readonly type = 'list';
  encoding(): string {
    return 'listpack';
  }
  clone(): RedisObject {
    return new FakeList();
  }
}
