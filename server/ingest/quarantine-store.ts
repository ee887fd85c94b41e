import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { writeFileDurably } from '@/server/files';

export interface QuarantineReason {
  code: string;
  message: string;
}

export interface QuarantinedInput {
  id: string;
  relativePath: string;
  sha256: string;
  size: number;
}

/**
 * Inputs that could not be used, kept byte for byte with their reason beside them, so nothing a
 * sender gave us is lost and an admin can see why it was refused. Reasons never carry patient data.
 */
export class QuarantineStore {
  constructor(readonly root: string) {}

  async keep(bytes: Uint8Array, reason: QuarantineReason, source: string): Promise<QuarantinedInput> {
    const id = randomUUID();
    const day = new Date().toISOString().slice(0, 10);
    const relativePath = join(day, `${id}.bin`);
    await writeFileDurably(join(this.root, relativePath), bytes);
    const note = { id, receivedAt: new Date().toISOString(), source, size: bytes.length, ...reason };
    await writeFileDurably(join(this.root, day, `${id}.json`), new TextEncoder().encode(`${JSON.stringify(note, null, 2)}\n`));
    return { id, relativePath, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  }
}
