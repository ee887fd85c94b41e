// Worker-thread entry of DecodePool: DICOM decoding (WASM codecs included) and tensor building,
// so they never run on the event loop that acknowledges C-STORE, serves the API and pushes sockets.
import { parentPort } from 'node:worker_threads';
import { serveDecodeTasks } from './serve-decode-tasks';

if (!parentPort) throw new Error('decode-worker must run in a worker thread');
await serveDecodeTasks(parentPort);
