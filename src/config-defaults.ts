/** PLACEHOLDER owned by the server helper: the settings table CONFIG GET/SET use. */
import { Config } from './config.js';

export function defaultConfig(init: {
  evictionPolicy: string;
  notifyKeyspaceEvents: string;
  maxmemoryBytes: number;
}): Config {
  return new Config({
    'maxmemory-policy': { value: init.evictionPolicy, settable: false },
    'notify-keyspace-events': { value: init.notifyKeyspaceEvents, settable: true },
    maxmemory: { value: String(init.maxmemoryBytes), settable: false },
  });
}
