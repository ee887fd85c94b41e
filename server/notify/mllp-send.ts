import { connect } from 'node:net';

const START = 0x0b;
const END = Buffer.from([0x1c, 0x0d]);
/** Longest ACK we read; anything longer is not an ACK. */
const MAX_ACK_BYTES = 64 * 1024;

/** One HL7 message in MLLP framing: <VT> message <FS><CR>. */
export function mllpFrame(message: string): Buffer {
  return Buffer.concat([Buffer.from([START]), Buffer.from(message, 'utf8'), END]);
}

/**
 * Sends one framed message over a new TCP connection and resolves with the receiver's answer
 * (the deframed ACK message). Rejects on a connection error, a close before the answer, or `signal`.
 */
export function mllpSend(target: { host: string; port: number }, message: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port });
    let buffer = Buffer.alloc(0);
    const done = (err: Error | null, answer?: string) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(answer!);
    };
    const onAbort = () => done(new Error('MLLP: no answer in time'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    socket.on('connect', () => socket.write(mllpFrame(message)));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const start = buffer.indexOf(START);
      const end = buffer.indexOf(END, start + 1);
      if (start >= 0 && end > start) done(null, buffer.subarray(start + 1, end).toString('utf8'));
      else if (buffer.length > MAX_ACK_BYTES) done(new Error('MLLP: answer too long, not an ACK'));
    });
    socket.on('error', (err) => done(new Error(`MLLP: ${err.message}`)));
    socket.on('close', () => done(new Error('MLLP: the receiver closed the connection without an ACK')));
  });
}
