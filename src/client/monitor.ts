/**
 * MONITOR on the ioredis-compatible client: the lines a monitoring connection receives become
 * `'monitor'` events with the arguments ioredis's DataHandler gives them.
 */

/** ioredis's rejection of a command on a monitoring connection. */
export const MONITORING_MODE_MESSAGE = "Connection is in monitoring mode, can't process commands.";

interface Emitter {
  emit(event: string, ...args: unknown[]): boolean;
}

/**
 * Emits `('monitor', time, args, source, database)` for one line
 * (`1735689600.000000 [0 127.0.0.1:40001] "SET" "k" "v"`), split exactly as ioredis splits it: the
 * time before the first space, the arguments between the first and the last quote separated by
 * `" "` with `\"` unescaped (other escapes stay as the server wrote them), then the database and
 * the source inside the brackets.
 */
export function emitMonitorLine(client: Emitter, line: string): void {
  const space = line.indexOf(' ');
  const time = line.slice(0, space);
  const firstQuote = line.indexOf('"');
  const args = line
    .slice(firstQuote + 1, -1)
    .split('" "')
    .map((arg) => arg.replace(/\\"/g, '"'));
  const [database, source] = line.slice(space + 2, firstQuote - 2).split(' ');
  client.emit('monitor', time, args, source, database);
}
