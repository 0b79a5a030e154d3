/**
 * The tunnel's framing (protocol.ts): every WebSocket message is binary and carries one or more
 * frames, each `kind (1 byte) | stream id (4 bytes) | length (4 bytes) | payload`, big-endian.
 * A control frame's payload is a `ControlFrame` as JSON; a data frame's is body bytes. Frames
 * written in the same turn of the event loop leave in one message (`FrameWriter`), so a burst
 * of small requests or a response's head, body and end cost one write, not one each.
 */
import { type ControlFrame, MAX_MESSAGE, parseControl } from './protocol.js';

const CONTROL = 1;
const DATA = 2;
const HEADER = 9;
/** A batch is sent once it holds this much, without waiting for the turn to end. */
const FLUSH_AT = MAX_MESSAGE / 2;

export type Frame = { kind: 'control'; frame: ControlFrame } | { kind: 'data'; id: number; chunk: Buffer };

export class FrameWriter {
  private parts: Buffer[] = [];
  private size = 0;
  private scheduled = false;

  constructor(private readonly sendMessage: (message: Buffer) => void) {}

  control(frame: ControlFrame): void {
    const json = Buffer.from(JSON.stringify(frame), 'utf8');
    this.add(CONTROL, 'id' in frame ? frame.id : 0, json);
  }

  data(id: number, chunk: Uint8Array): void {
    this.add(DATA, id, chunk);
  }

  /** Sends what is queued now. */
  flush(): void {
    this.scheduled = false;
    if (!this.parts.length) return;
    const message = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.sendMessage(message);
  }

  private add(kind: number, id: number, payload: Uint8Array): void {
    if (this.size + HEADER + payload.byteLength > FLUSH_AT) this.flush();
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt8(kind, 0);
    header.writeUInt32BE(id, 1);
    header.writeUInt32BE(payload.byteLength, 5);
    this.parts.push(header, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
    this.size += HEADER + payload.byteLength;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }
}

/** The frames of one message; undefined when the message is malformed (a protocol error). */
export function readFrames(message: Buffer): Frame[] | undefined {
  const frames: Frame[] = [];
  let at = 0;
  while (at < message.length) {
    if (message.length - at < HEADER) return undefined;
    const kind = message.readUInt8(at);
    const id = message.readUInt32BE(at + 1);
    const length = message.readUInt32BE(at + 5);
    const end = at + HEADER + length;
    if (end > message.length) return undefined;
    const payload = message.subarray(at + HEADER, end);
    if (kind === DATA) frames.push({ kind: 'data', id, chunk: payload });
    else if (kind === CONTROL) {
      const frame = parseControl(payload.toString('utf8'));
      if (!frame) return undefined;
      frames.push({ kind: 'control', frame });
    } else return undefined;
    at = end;
  }
  return frames;
}
