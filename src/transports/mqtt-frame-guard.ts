import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * Finds MQTT packets larger than a limit in a byte stream, from their fixed headers alone (type
 * byte, then the remaining length as a variable-length integer of up to 4 bytes), so that a client
 * announcing a 256 MiB publish is refused before the broker buffers any of it.
 */
export class MqttFrameScanner {
  readonly #max: number;
  #state: 'type' | 'length' = 'type';
  #length = 0;
  #multiplier = 1;
  #lengthBytes = 0;
  #skip = 0;

  constructor(maxPacketBytes: number) {
    this.#max = maxPacketBytes;
  }

  /** Feeds the next bytes; returns the size of the first packet over the limit, or null. */
  feed(chunk: Uint8Array): number | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.#skip > 0) {
        const take = Math.min(this.#skip, chunk.length - i);
        this.#skip -= take;
        i += take;
        continue;
      }
      const byte = chunk[i++]!;
      if (this.#state === 'type') {
        this.#state = 'length';
        this.#length = 0;
        this.#multiplier = 1;
        this.#lengthBytes = 0;
        continue;
      }
      this.#length += (byte & 0x7f) * this.#multiplier;
      this.#multiplier *= 128;
      this.#lengthBytes++;
      if ((byte & 0x80) !== 0) {
        // A fifth length byte is malformed; such a packet would be at least 256 MiB anyway.
        if (this.#lengthBytes === 4) return Number.POSITIVE_INFINITY;
        continue;
      }
      const size = 1 + this.#lengthBytes + this.#length;
      if (size > this.#max) return size;
      this.#skip = this.#length;
      this.#state = 'type';
    }
    return null;
  }
}

/**
 * A client's TCP socket as the broker sees it, with a packet size limit on what arrives: bytes pass
 * through unchanged until a packet over the limit is announced, then the connection is destroyed.
 * Writes go straight to the socket, with its backpressure.
 */
export class GuardedConnection extends Duplex {
  readonly socket: Socket;

  constructor(socket: Socket, maxPacketBytes: number, onTooLarge: (size: number) => void) {
    super({ allowHalfOpen: false });
    this.socket = socket;
    const scanner = new MqttFrameScanner(maxPacketBytes);
    socket.on('data', (chunk: Buffer) => {
      const tooLarge = scanner.feed(chunk);
      if (tooLarge !== null) {
        onTooLarge(tooLarge);
        this.destroy();
        return;
      }
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#send(chunk, callback);
  }

  // Aedes writes a packet as several small chunks: passed on as one write, so that a PUBACK is one
  // TCP segment and not a header held back by Nagle's algorithm until the client's delayed ACK.
  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.#send(Buffer.concat(chunks.map((c) => c.chunk)), callback);
  }

  #send(chunk: Buffer, callback: (error?: Error | null) => void): void {
    if (this.socket.write(chunk)) callback();
    else this.socket.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}
