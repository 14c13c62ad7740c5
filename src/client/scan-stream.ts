/**
 * ioredis's ScanStream: a readable stream (object mode) that pages through SCAN / SSCAN / HSCAN /
 * ZSCAN and pushes each batch, ending when the cursor comes back to 0.
 */
import { Readable, type ReadableOptions } from 'node:stream';

/** SCAN options of the `…scanStream` methods. */
export interface ScanStreamOptions {
  match?: string;
  type?: string;
  count?: number;
  /** HSCAN … NOVALUES (Redis 7.4). */
  noValues?: boolean;
}

/** @internal What the stream is built with. */
export interface ScanStreamInit extends ReadableOptions, ScanStreamOptions {
  redis: unknown;
  command: string;
  key?: string;
}

type ScanMethod = (args: unknown[], callback: (err: Error | null, result?: [string | Buffer, unknown[]]) => void) => void;

export class ScanStream extends Readable {
  private cursor = '0';
  private drained = false;

  constructor(private readonly opt: ScanStreamInit) {
    super(opt);
  }

  override _read(): void {
    if (this.drained) {
      this.push(null);
      return;
    }
    const args: unknown[] = [this.cursor];
    if (this.opt.key) args.unshift(this.opt.key);
    if (this.opt.match) args.push('MATCH', this.opt.match);
    if (this.opt.type) args.push('TYPE', this.opt.type);
    if (this.opt.count) args.push('COUNT', String(this.opt.count));
    if (this.opt.noValues) args.push('NOVALUES');
    const method = (this.opt.redis as Record<string, ScanMethod>)[this.opt.command];
    method.call(this.opt.redis, args, (err, res) => {
      if (err) {
        this.emit('error', err);
        return;
      }
      const [cursor, batch] = res!;
      this.cursor = Buffer.isBuffer(cursor) ? cursor.toString() : cursor;
      if (this.cursor === '0') this.drained = true;
      this.push(batch);
    });
  }

  /** Stops after the current batch. */
  close(): void {
    this.drained = true;
  }
}
