import type { Socket } from 'node:net';
import { PassThrough, type Writable } from 'node:stream';
import dimse from 'dcmjs-dimse';
import type { association as dimseAssociation, requests, responses as dimseResponses } from 'dcmjs-dimse';
import { TRANSFER_SYNTAXES } from '@/server/dicom';
import type { Logger } from '@/server/logging';
import type { IngestService } from '../ingest-service';
import { buildPart10 } from './part10';

const { Scp, Dataset, constants, responses } = dimse;
const { PresentationContextResult, RejectResult, RejectSource, RejectReason, SopClass, StorageClass, Status } = constants;

export interface StoreScpOptions {
  /** Our AE title: associations addressed to another are refused. */
  aeTitle: string;
  /** Calling AE titles allowed to send; empty accepts any (embedded/demo mode). */
  allowedCallingAeTitles: readonly string[];
  /** Largest instance accepted, in bytes (default 1 GiB): a bigger one is answered "out of resources" and not kept in memory. */
  maxInstanceBytes?: number;
  ingest: IngestService;
  log: Logger;
  /**
   * An association was released (not aborted) after storing instances of these series: its sender
   * says they are sent (server/ingest/mark-series-sent.ts). Called after every C-STORE it carried is recorded.
   */
  onAssociationReleased?: (released: { calling: string; seriesInstanceUids: string[]; at: Date }) => Promise<void>;
}

// Every storage SOP class is accepted so that whatever a PACS forwards with a study (dose reports,
// secondary captures) is kept and quarantined with a reason instead of failing the association.
const ACCEPTED_ABSTRACT_SYNTAXES = new Set<string>([SopClass.Verification, ...Object.values(StorageClass)]);
// Transfer syntaxes whose pixels server/dicom can decode, plus the uncompressed ones always needed.
const DECODABLE = new Set([...TRANSFER_SYNTAXES.values()].filter((ts) => ts.family !== 'unsupported').map((ts) => ts.uid));

/** Failure status for a refused instance (PS3.4 Table GG.4-1: 0xC000-0xCFFF "cannot understand"). */
const CANNOT_UNDERSTAND = 0xc000;
/** Refused for its size (PS3.4 Table GG.4-1: 0xA7xx "out of resources"). */
const OUT_OF_RESOURCES = 0xa700;

const UNCOMPRESSED_PREFERENCE = ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2', '1.2.840.10008.1.2.2'];

/**
 * A compressed syntax we can decode wins (in the sender's order): the sender then transmits its
 * stored bytes as they are, without transcoding, and the wire carries less. Otherwise explicit
 * little endian, then implicit, then big endian.
 */
export function chooseTransferSyntax(proposed: readonly string[]): string | undefined {
  const compressed = proposed.find((ts) => DECODABLE.has(ts) && !UNCOMPRESSED_PREFERENCE.includes(ts));
  return compressed ?? UNCOMPRESSED_PREFERENCE.find((ts) => proposed.includes(ts));
}

type ScpClass = new (socket: Socket, opts?: object) => InstanceType<typeof Scp>;

/**
 * Builds the dcmjs-dimse SCP class for one server: C-ECHO, and C-STORE through the durable ingest
 * path. The dataset stream is captured byte for byte in its negotiated transfer syntax and wrapped
 * into a Part 10 file, so nothing is re-encoded; the C-STORE response is sent only after the file
 * is fsync'd and recorded (or quarantined, which answers with a failure naming the reason).
 */
export function createStoreScpClass(opts: StoreScpOptions): ScpClass {
  const raw = new WeakMap<object, { chunks: Buffer[]; bytes: number; tooLarge: boolean }>();
  const maxInstanceBytes = opts.maxInstanceBytes ?? 1024 * 1024 * 1024;

  return class StoreScp extends Scp {
    private association: dimseAssociation.Association | undefined;
    /** Series this association stored instances of, and the C-STOREs still being recorded. */
    private readonly storedSeries = new Set<string>();
    private readonly recording = new Set<Promise<unknown>>();

    override associationRequested(association: dimseAssociation.Association): void {
      this.association = association;
      const calling = association.getCallingAeTitle();
      const called = association.getCalledAeTitle();
      if (called !== opts.aeTitle) {
        opts.log.warn({ calling, called }, 'association refused: called AE title is not ours');
        this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CalledAeNotRecognized);
        return;
      }
      if (opts.allowedCallingAeTitles.length > 0 && !opts.allowedCallingAeTitles.includes(calling)) {
        opts.log.warn({ calling }, 'association refused: calling AE title not allowed');
        this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CallingAeNotRecognized);
        return;
      }
      for (const c of association.getPresentationContexts()) {
        const context = association.getPresentationContext(c.id);
        if (!ACCEPTED_ABSTRACT_SYNTAXES.has(context.getAbstractSyntaxUid())) {
          context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
          continue;
        }
        const chosen = chooseTransferSyntax(context.getTransferSyntaxUids());
        if (chosen) context.setResult(PresentationContextResult.Accept, chosen);
        else context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
      }
      this.sendAssociationAccept();
    }

    override cEchoRequest(request: requests.CEchoRequest, callback: (response: dimseResponses.CEchoResponse) => void): void {
      const response = responses.CEchoResponse.fromRequest(request);
      response.setStatus(Status.Success);
      callback(response);
    }

    // Collects the dataset's bytes as they arrive instead of letting dcmjs parse and re-encode them.
    // Past the size limit the bytes are counted and dropped, so one huge instance cannot exhaust memory.
    override createStoreWritableStream(_context: dimseAssociation.PresentationContext, request: requests.CStoreRequest): Writable {
      const received = { chunks: [] as Buffer[], bytes: 0, tooLarge: false };
      raw.set(request, received);
      const stream = new PassThrough();
      stream.on('data', (chunk: Buffer) => {
        received.bytes += chunk.length;
        if (received.bytes > maxInstanceBytes) {
          received.tooLarge = true;
          received.chunks = [];
        } else received.chunks.push(chunk);
      });
      return stream;
    }

    override createDatasetFromStoreWritableStream(
      writable: Writable,
      context: dimseAssociation.PresentationContext,
      callback: (dataset: InstanceType<typeof Dataset>) => void,
    ): void {
      writable.end();
      callback(new Dataset({}, context.getAcceptedTransferSyntaxUid()));
    }

    override cStoreRequest(request: requests.CStoreRequest, callback: (response: dimseResponses.CStoreResponse) => void): void {
      const received = raw.get(request) ?? { chunks: [], bytes: 0, tooLarge: false };
      raw.delete(request);
      const calling = this.association?.getCallingAeTitle() ?? 'unknown';
      if (received.tooLarge) {
        opts.log.warn({ calling, bytes: received.bytes, limit: maxInstanceBytes }, 'C-STORE refused: instance over the size limit');
        const response = responses.CStoreResponse.fromRequest(request);
        response.setStatus(OUT_OF_RESOURCES);
        response.setErrorComment(`over DICOM_MAX_INSTANCE_MB (${Math.round(maxInstanceBytes / 1048576)} MB)`);
        callback(response);
        return;
      }
      const chunks = received.chunks;
      const transferSyntaxUid = request.getDataset()?.getTransferSyntaxUid() ?? '1.2.840.10008.1.2';
      const bytes = buildPart10(
        {
          sopClassUid: request.getAffectedSopClassUid(),
          sopInstanceUid: request.getAffectedSopInstanceUid(),
          transferSyntaxUid,
          sourceAeTitle: calling,
        },
        Buffer.concat(chunks),
      );
      const respond = (status: number, comment?: string) => {
        const response = responses.CStoreResponse.fromRequest(request);
        response.setStatus(status);
        if (comment) response.setErrorComment(comment.slice(0, 64));
        callback(response);
      };
      const recorded = opts.ingest.ingest(bytes, { channel: 'dimse', sender: calling }).then(
        (outcome) => {
          if (outcome.status === 'quarantined') respond(CANNOT_UNDERSTAND, `${outcome.error.code}: ${outcome.error.message}`);
          else {
            this.storedSeries.add(outcome.seriesInstanceUid);
            respond(Status.Success);
          }
        },
        (err: unknown) => {
          // Not stored (disk, database): a failure the sender can retry; nothing was acknowledged.
          opts.log.error({ err, calling }, 'C-STORE could not be stored');
          respond(Status.ProcessingFailure, 'could not store the instance; retry later');
        },
      );
      this.recording.add(recorded);
      void recorded.finally(() => this.recording.delete(recorded));
    }

    override associationReleaseRequested(): void {
      this.sendAssociationReleaseResponse();
      // A release (an abort does not count) after the last instance: the sender has sent what it
      // meant to. Marked once every C-STORE it carried is recorded, so no instance lands after the mark.
      const series = [...this.storedSeries];
      this.storedSeries.clear();
      if (series.length === 0 || !opts.onAssociationReleased) return;
      const calling = this.association?.getCallingAeTitle() ?? 'unknown';
      const at = new Date();
      void Promise.allSettled([...this.recording])
        .then(() => opts.onAssociationReleased!({ calling, seriesInstanceUids: series, at }))
        .catch((err: unknown) => opts.log.warn({ err, calling }, 'could not mark the released association\'s series as sent'));
    }

    override abort(): void {
      opts.log.warn({ calling: this.association?.getCallingAeTitle() }, 'association aborted by the peer');
    }
  };
}
