// Worker-thread entry of PhantomGenerator: generating a 512 px slice costs tens of ms of CPU, a
// study seconds, which must not stall the server's event loop (DICOM listener, Socket.IO).
import { parentPort } from 'node:worker_threads';
import { generateStudyOfKind } from '../phantoms';
import type { PhantomRequest, PhantomReply } from './phantom-generator';

const port = parentPort;
if (!port) throw new Error('phantom-worker must run in a worker thread');

port.on('message', (message: PhantomRequest) => {
  let reply: PhantomReply;
  const transfer: ArrayBuffer[] = [];
  try {
    // The demo kind analyses its real scan once per worker (seconds); later studies reuse it.
    const study = generateStudyOfKind(message.kind ?? 'cartoon', message.seed, message.hemorrhage, { slices: message.slices, size: message.size });
    const slices = study.slices.map((s) => s.bytes);
    // Each slice's bytes are moved, not copied; a buffer shared by two views is moved once.
    for (const b of new Set(slices.map((s) => s.buffer))) if (b instanceof ArrayBuffer) transfer.push(b);
    reply = { id: message.id, ok: true, study: { seed: study.seed, studyInstanceUid: study.studyInstanceUid, truth: study.truth, slices } };
  } catch (err) {
    reply = { id: message.id, ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply, transfer);
});
