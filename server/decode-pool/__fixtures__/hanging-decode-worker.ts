// Test-only worker entry: a real decode worker, except that a 'slice' or 'model' task whose bytes contain
// "HANGME" (anywhere: a valid DICOM file can carry it in its pixels) spins forever, as a stuck WASM codec does (JavaScript cannot interrupt it; only
// terminating the worker ends it). Used by decode-pool.test.ts through DecodePool's `entry` option.
import { parentPort } from 'node:worker_threads';
import { runDecodeTask } from '../decode-task';
import { serveDecodeTasks } from '../serve-decode-tasks';

const contains = (bytes: Uint8Array, text: string) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(text);

if (!parentPort) throw new Error('hanging-decode-worker must run in a worker thread');
await serveDecodeTasks(parentPort, async (task, options) => {
  const decodes = task.kind === 'slice' || task.kind === 'model';
  if (decodes && contains(task.bytes, 'HANGME')) {
    for (;;) {
      // spin: only worker.terminate() ends this
    }
  }
  if (decodes && task.bytes[0] === 0x43 && task.bytes[1] === 0x52 && task.bytes[2] === 0x41 && task.bytes[3] === 0x53) {
    process.exit(3); // "CRAS": the worker dies mid-task, as a codec abort would take it down
  }
  return runDecodeTask(task, options);
});
