/**
 * Redis 7.2 changed every HELP reply's last line from "    Prints this help." (7.0, the live
 * server here) to "    Print this help." (7.4, what the emulator answers; redis/redis#10965).
 * Listed once in test/differential/known-differences.ts as `help-footer`; live comparisons outside
 * the random test map the 7.0 line with this.
 */
export function helpFooter74<T>(reply: T): T {
  if (Array.isArray(reply)) {
    if (reply.length === 2 && reply[0] === '+' && reply[1] === '    Prints this help.') return ['+', '    Print this help.'] as T;
    return reply.map((item) => helpFooter74(item)) as T;
  }
  return reply;
}
