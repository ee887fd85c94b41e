import dimse from 'dcmjs-dimse';
import type { association as dimseAssociation, responses as dimseResponses } from 'dcmjs-dimse';
import { AppError, isAppError } from '@/lib/errors';
import { quietDicomLibraries, toDimseDataset } from './to-dimse-dataset';

const { Client, requests, constants } = dimse;

/** Where to send: a DICOM listener and the AE titles of the association. */
export interface CStoreTarget {
  host: string;
  port: number;
  /** Our AE title (the listener may allow only known callers). */
  callingAeTitle: string;
  /** The listener's AE title. */
  calledAeTitle: string;
}

export interface CStoreTimeouts {
  /** TCP connect, ms (default 10 000). */
  connectMs?: number;
  /** Waiting for the association answer, ms (default 30 000). */
  associationMs?: number;
  /** Silence on an open association, ms (default 60 000): a listener storing a slice answers well within it. */
  pduMs?: number;
}

/** What became of one instance of a batch; `index` is its position in the input. */
export type CStoreResult =
  | { index: number; sopInstanceUid: string; transferSyntaxUid: string; ok: true; status: number }
  | {
      index: number;
      sopInstanceUid: string | null;
      transferSyntaxUid: string | null;
      ok: false;
      /** DIMSE status of the C-STORE response; null when none came (unreadable input, not sent). */
      status: number | null;
      /** The listener's error comment, or why the instance was never sent. */
      reason: string;
    };

export interface CStoreBatchResult {
  results: CStoreResult[];
  sent: number;
  failed: number;
  ms: number;
}

// PS3.7 C: 0x0000 success; 0xB000-0xBFFF (and 0x0107, 0x0116) warnings still mean "stored".
const isStored = (status: number) => status === constants.Status.Success || (status >= 0xb000 && status <= 0xbfff) || status === 0x0107 || status === 0x0116;

const REJECT_REASONS: Record<number, string> = {
  [constants.RejectReason.CallingAeNotRecognized]: 'calling AE title not recognized',
  [constants.RejectReason.CalledAeNotRecognized]: 'called AE title not recognized',
  [constants.RejectReason.TemporaryCongestion]: 'temporary congestion',
  [constants.RejectReason.LocalLimitExceeded]: 'local limit exceeded',
  [constants.RejectReason.ApplicationContextNotSupported]: 'application context not supported',
  [constants.RejectReason.ProtocolVersionNotSupported]: 'protocol version not supported',
};

/**
 * A C-STORE sender (SCU) over dcmjs-dimse: one association per batch (a study), instances sent in
 * the given order, each in its own transfer syntax (no transcoding), one result per instance.
 */
export class CStoreClient {
  constructor(
    private readonly target: CStoreTarget,
    private readonly timeouts: CStoreTimeouts = {},
  ) {
    quietDicomLibraries();
  }

  /**
   * Sends Part-10 files over one association. Per-instance refusals (e.g. not CT) are results, not
   * throws. Throws AppError DIMSE_CONNECTION_FAILED (no connection), DIMSE_ASSOCIATION_REJECTED,
   * or DIMSE_SEND_FAILED (the association broke before every instance was answered).
   * `onAnswer` hears each instance's answer as it comes, so a caller whose association breaks still
   * knows which instances the listener acknowledged (and need not be re-sent).
   */
  async send(files: readonly Uint8Array[], options: { onAnswer?: (result: CStoreResult) => void } = {}): Promise<CStoreBatchResult> {
    const started = performance.now();
    const results: (CStoreResult | undefined)[] = new Array(files.length);
    const pending: { index: number; request: InstanceType<typeof requests.CStoreRequest>; sopInstanceUid: string; transferSyntaxUid: string }[] = [];
    for (const [index, bytes] of files.entries()) {
      // Parsing a 512 px slice takes milliseconds: yield between slices so a study of hundreds
      // never holds the event loop.
      if (index > 0) await yieldToEventLoop();
      try {
        const { dataset, sopInstanceUid, transferSyntaxUid } = toDimseDataset(bytes);
        pending.push({ index, request: new requests.CStoreRequest(dataset), sopInstanceUid, transferSyntaxUid });
      } catch (err) {
        const reason = isAppError(err) ? `${err.code}: ${err.message}` : String(err);
        results[index] = { index, sopInstanceUid: null, transferSyntaxUid: null, ok: false, status: null, reason };
      }
    }
    if (pending.length > 0) await this.associate(pending, results, options.onAnswer);
    const final = results.map((r, index) => r ?? notAnswered(index, pending));
    const failed = final.filter((r) => !r.ok).length;
    return { results: final, sent: final.length - failed, failed, ms: performance.now() - started };
  }

  private associate(
    pending: { index: number; request: InstanceType<typeof requests.CStoreRequest>; sopInstanceUid: string; transferSyntaxUid: string }[],
    results: (CStoreResult | undefined)[],
    onAnswer: ((result: CStoreResult) => void) | undefined,
  ): Promise<void> {
    const { host, port, callingAeTitle, calledAeTitle } = this.target;
    const where = `${calledAeTitle}@${host}:${port}`;
    return new Promise((resolve, reject) => {
      const client = new Client();
      let accepted = false;
      let failure: AppError | undefined;
      for (const p of pending) {
        p.request.on('response', (response: dimseResponses.CStoreResponse) => {
          const status = response.getStatus();
          results[p.index] = isStored(status)
            ? { index: p.index, sopInstanceUid: p.sopInstanceUid, transferSyntaxUid: p.transferSyntaxUid, ok: true, status }
            : { index: p.index, sopInstanceUid: p.sopInstanceUid, transferSyntaxUid: p.transferSyntaxUid, ok: false, status, reason: response.getErrorComment() || `status 0x${status.toString(16).padStart(4, '0')}` };
          onAnswer?.(results[p.index]!);
        });
        client.addRequest(p.request);
      }
      client.on('associationAccepted', (association: dimseAssociation.Association) => {
        accepted = true;
        // dcmjs-dimse skips a request without an accepted presentation context and says nothing.
        for (const p of pending) {
          if (association.getAcceptedPresentationContextFromRequest(p.request)) continue;
          results[p.index] = { index: p.index, sopInstanceUid: p.sopInstanceUid, transferSyntaxUid: p.transferSyntaxUid, ok: false, status: null, reason: `the listener accepted no presentation context for this SOP class in ${p.transferSyntaxUid}` };
        }
      });
      client.on('associationRejected', (rejection: { result: number; source: number; reason: number }) => {
        const why = REJECT_REASONS[rejection.reason] ?? `reason ${rejection.reason}`;
        const permanence = rejection.result === constants.RejectResult.Permanent ? 'permanently' : 'transiently';
        failure = new AppError('DIMSE_ASSOCIATION_REJECTED', `${where} ${permanence} rejected the association: ${why}`, { reason: rejection.reason, result: rejection.result });
      });
      client.on('networkError', (err: Error & { code?: string }) => {
        if (failure) return;
        failure = accepted
          ? new AppError('DIMSE_SEND_FAILED', `association with ${where} broke: ${networkMessage(err)}`, { code: err.code }, { cause: err })
          : new AppError('DIMSE_CONNECTION_FAILED', `cannot connect to ${where}: ${networkMessage(err)}`, { code: err.code }, { cause: err });
      });
      client.on('closed', () => {
        // A network error once every instance was answered (a peer that closes instead of
        // releasing) loses nothing; before that, the caller must know the batch is incomplete.
        const allAnswered = pending.every((p) => results[p.index]);
        if (failure && !(accepted && allAnswered)) reject(failure);
        else if (!accepted) reject(new AppError('DIMSE_CONNECTION_FAILED', `${where} closed the connection before answering the association request`));
        else resolve();
      });
      try {
        client.send(host, port, callingAeTitle, calledAeTitle, {
          connectTimeout: this.timeouts.connectMs ?? 10_000,
          associationTimeout: this.timeouts.associationMs ?? 30_000,
          pduTimeout: this.timeouts.pduMs ?? 60_000,
        });
      } catch (err) {
        reject(new AppError('DIMSE_SEND_FAILED', `cannot send to ${where}: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err }));
      }
    });
  }
}

function notAnswered(index: number, pending: readonly { index: number; sopInstanceUid: string; transferSyntaxUid: string }[]): CStoreResult {
  const p = pending.find((x) => x.index === index);
  return { index, sopInstanceUid: p?.sopInstanceUid ?? null, transferSyntaxUid: p?.transferSyntaxUid ?? null, ok: false, status: null, reason: 'no C-STORE response: the association ended first' };
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** dcmjs-dimse prefixes its network errors with a log id and an arrow ("ID -> Connection error: ..."). */
function networkMessage(err: Error): string {
  return err.message.replace(/^.*?->\s*/, '');
}
