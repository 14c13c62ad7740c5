/**
 * A raw TCP connection for byte-level protocol tests: send any bytes, read back exactly the bytes
 * of the next N replies (reply boundaries found with the RESP parser of resp-client.ts), or
 * everything until the server closes. Used to compare the RESP server with redis-server byte for
 * byte.
 */
import { connect, type Socket } from 'node:net';
import { encodeCommand, parseReply } from './resp-client.js';

/** Where the next complete reply ends in `buffer` from `pos`, or -1 when it is not all there. */
function replyEnd(buffer: Buffer, pos: number): number {
  try {
    return parseReply(buffer, pos)[1];
  } catch (error) {
    if (typeof error === 'symbol') return -1; // incomplete
    throw error;
  }
}

export class RawConnection {
  private buffer = Buffer.alloc(0);
  private closed = false;
  private wake: (() => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** True once the server closed the connection. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The underlying socket (to pause reading in back-pressure tests). */
  get raw(): Socket {
    return this.socket;
  }

  send(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  /** Sends one command and answers its reply's bytes as latin1 text. */
  async call(...argv: string[]): Promise<string> {
    this.send(encodeCommand(argv));
    return (await this.read()).toString('latin1');
  }

  /** The bytes of the next `count` replies (RESP3 pushes count as replies). Rejects if the connection closes first. */
  async read(count = 1, timeoutMs = 5_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let pos = 0;
      let complete = 0;
      while (complete < count) {
        const end = replyEnd(this.buffer, pos);
        if (end < 0) break;
        pos = end;
        complete++;
      }
      if (complete === count) {
        const out = this.buffer.subarray(0, pos);
        this.buffer = this.buffer.subarray(pos);
        return Buffer.from(out);
      }
      if (this.closed) throw new Error(`connection closed after ${JSON.stringify(this.buffer.toString('latin1'))}`);
      await this.waitForData(deadline);
    }
  }

  /** Everything received until the server closes the connection. */
  async readUntilClosed(timeoutMs = 5_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) await this.waitForData(deadline);
    const out = this.buffer;
    this.buffer = Buffer.alloc(0);
    return out;
  }

  /** Waits `ms`, then answers the bytes received and not read so far (for "no reply yet" checks). */
  async pending(ms: number): Promise<Buffer> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return Buffer.from(this.buffer);
  }

  close(): void {
    this.socket.destroy();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private waitForData(deadline: number): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.reject(new Error(`timed out waiting for a reply; have ${JSON.stringify(this.buffer.toString('latin1'))}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = null;
        reject(new Error(`timed out waiting for a reply; have ${JSON.stringify(this.buffer.toString('latin1'))}`));
      }, left);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** Encodes argv as a RESP multibulk request. */
export { encodeCommand } from './resp-client.js';
