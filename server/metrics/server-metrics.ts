import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DbClient } from '@/server/db';

export interface ServerMetricsOptions {
  prisma: DbClient;
  /** Which process this is (`all`, `web`, `worker`): a label on every series. */
  role: string;
  /** Live Socket.IO clients of this node; absent on a node without sockets. */
  socketClients?: (() => number) | undefined;
}

/**
 * The Prometheus metrics of one process (prom-client, its own Registry: no module singleton, so
 * Next's separately bundled route handlers read the same one through the services registry).
 * Counters and histograms count what happened in this process (ingest, triage, inference);
 * gauges read the database at scrape time (queue depth, decode errors, flagged studies), so every
 * node reports the same database-wide figure: sum them per node only for the counters.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly ingest: Counter<'channel' | 'outcome'>;
  private readonly triage: Histogram;
  private readonly flaggedTotal: Counter;
  private readonly batchSize: Histogram;
  private readonly batchLatency: Histogram;

  constructor(private readonly opts: ServerMetricsOptions) {
    this.registry.setDefaultLabels({ role: opts.role });
    collectDefaultMetrics({ register: this.registry, prefix: 'ich_' });
    const registers = [this.registry];
    this.ingest = new Counter({ name: 'ich_ingest_instances_total', help: 'DICOM instances received, by channel (dimse, stow, upload, folder, demo) and outcome (stored, duplicate, quarantined)', labelNames: ['channel', 'outcome'], registers });
    this.triage = new Histogram({ name: 'ich_time_to_triage_seconds', help: 'From a study\'s first slice to its triage result', buckets: [5, 10, 15, 20, 30, 45, 60, 90, 120, 300, 600, 1800], registers });
    this.flaggedTotal = new Counter({ name: 'ich_studies_flagged_total', help: 'Studies triaged as flagged (suspected hemorrhage) by this process', registers });
    this.batchSize = new Histogram({ name: 'ich_inference_batch_size', help: 'Slices per model run', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers });
    this.batchLatency = new Histogram({ name: 'ich_inference_batch_seconds', help: 'Duration of one model run', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers });
    const { prisma } = opts;
    new Gauge({
      name: 'ich_queue_jobs',
      help: 'Jobs in the durable queue by status (pending, leased, failed; database-wide)',
      labelNames: ['status'],
      registers,
      async collect() {
        const rows = await prisma.job.groupBy({ by: ['status'], _count: { _all: true }, where: { status: { in: ['pending', 'leased', 'failed'] } } });
        this.reset();
        for (const s of ['pending', 'leased', 'failed'] as const) this.set({ status: s }, rows.find((r) => r.status === s)?._count._all ?? 0);
      },
    });
    new Gauge({
      name: 'ich_decode_errors',
      help: 'Stored instances that could not be decoded, by error code (database-wide)',
      labelNames: ['code'],
      registers,
      async collect() {
        const rows = await prisma.instance.groupBy({ by: ['decodeErrorCode'], _count: { _all: true }, where: { decodeStatus: 'failed' } });
        this.reset();
        for (const r of rows) this.set({ code: r.decodeErrorCode ?? 'unknown' }, r._count._all);
      },
    });
    new Gauge({
      name: 'ich_outbox_messages',
      help: 'Outgoing alerts and results (server/outbox) by kind and state: pending + delivering is the backlog (database-wide)',
      labelNames: ['kind', 'state'],
      registers,
      async collect() {
        const rows = await prisma.outboxMessage.groupBy({ by: ['kind', 'state'], _count: { _all: true }, where: { state: { in: ['pending', 'delivering', 'failed'] } } });
        this.reset();
        for (const r of rows) this.set({ kind: r.kind, state: r.state }, r._count._all);
      },
    });
    new Gauge({
      name: 'ich_studies_flagged_open',
      help: 'Flagged studies not yet reported or dismissed (database-wide)',
      registers,
      async collect() {
        this.set(await prisma.study.count({ where: { flagged: true, status: { in: ['triaged', 'in_review'] } } }));
      },
    });
    const socketClients = opts.socketClients;
    if (socketClients) {
      new Gauge({
        name: 'ich_socket_clients',
        help: 'Dashboards connected to this node over Socket.IO',
        registers,
        collect() {
          this.set(socketClients());
        },
      });
    }
  }

  /** One ingest outcome (composition root: the ingest service's record/quarantine callbacks). */
  ingested(channel: string, outcome: 'stored' | 'duplicate' | 'quarantined'): void {
    this.ingest.inc({ channel, outcome });
  }

  /** One model run (InferenceEngine.onBatch). */
  readonly observeBatch = (size: number, seconds: number): void => {
    this.batchSize.observe(size);
    this.batchLatency.observe(seconds);
  };

  /**
   * Wraps the study publisher: on each `triaged` change, observes the time to triage and counts a
   * flag (one indexed read of the study).
   */
  watchStudyChanges<C extends string>(publish: (studyId: string, change: C) => void): (studyId: string, change: C) => void {
    return (studyId, change) => {
      publish(studyId, change);
      if (change !== 'triaged') return;
      this.opts.prisma.study
        .findUnique({ where: { id: studyId }, select: { receivedAt: true, triagedAt: true, flagged: true } })
        .then((s) => {
          if (!s?.triagedAt) return;
          this.triage.observe(Math.max(0, (s.triagedAt.getTime() - s.receivedAt.getTime()) / 1000));
          if (s.flagged) this.flaggedTotal.inc();
        })
        .catch(() => undefined); // metrics never fail the pipeline
    };
  }

  /** The Prometheus text exposition of every metric. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
