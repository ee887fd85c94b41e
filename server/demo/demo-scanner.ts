import { isAppError } from '@/lib/errors';
import type { Logger } from '@/server/logging';
import { SUBTYPES } from '@/lib/labels';
import { createRandom, deriveSeed, demoMixHemorrhage, mixHemorrhage, type PhantomKind, type Subtype } from '@/server/phantoms';
import { CStoreClient, type CStoreTarget, type CStoreTimeouts } from './cstore-client';
import { PhantomGenerator, type GeneratedPhantom } from './phantom-generator';

export interface DemoScannerOptions {
  /** The DICOM listener to feed: in the product, the server's own (AE title and port from config). */
  target: CStoreTarget;
  /** Studies per minute, > 0 (config DEMO_SCANNER_RATE_PER_MIN, default 2). */
  ratePerMinute: number;
  /**
   * Slices per study, drawn per study in [min, max] (config DEMO_SCANNER_SLICES, default 24-32);
   * the demo kind sends a run of that many of its real scan's 28 (all 28 when more are drawn).
   */
  slices: { min: number; max: number };
  /**
   * `demo` (default): the real head CT with synthetic bleeds in 40% of studies, the studies the
   * model is meant to read; `cartoon`: drawn phantoms (60% bleeds), cheap, for pipeline tests.
   */
  kind?: PhantomKind;
  /** Rows = columns (default 512, what real head CT has). */
  size?: number;
  /**
   * Seed of the first study; study i uses seed + i (default: seconds since the epoch, so a restart
   * sends new studies instead of duplicates of the last run's).
   */
  seed?: number;
  /** Delay before the first study, ms (default 1000): a newcomer sees the worklist move at once. */
  firstDelayMs?: number;
  /** Share of studies sent in shuffled slice order, 0..1 (default 0.3): real senders are not always in order. */
  shuffledShare?: number;
  timeouts?: CStoreTimeouts;
  log: Logger;
}

/** What one tick sent, as logged (no patient data, no UIDs: the seed regenerates the study). */
export interface DemoStudyReport {
  study: number;
  seed: number;
  subtypes: Subtype[];
  slices: number;
  shuffled: boolean;
  stored: number;
  failed: number;
  generateMs: number;
  sendMs: number;
}

/** Slices of the demo's real scan (server/phantoms/anatomy/ge-head-ct). */
const DEMO_SCAN_SLICES = 28;

/**
 * A simulated CT scanner: every 60/rate seconds it generates the next study (seeded, by default
 * the real head CT, 60% normal and 40% with synthetic bleeds of each subtype) on a worker thread and sends it over C-STORE, one
 * association per study, exactly as a scanner would. A failed send (listener not up yet,
 * association refused) is logged and the same study retried on the next tick.
 */
export class DemoScanner {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;
  private index = 0;
  private nextDue = 0;
  private pending: { seed: number; subtypes: Subtype[]; study: GeneratedPhantom; generateMs: number } | undefined;
  private readonly generator = new PhantomGenerator();
  private readonly client: CStoreClient;
  private readonly intervalMs: number;
  private readonly firstSeed: number;

  /** Sent and logged studies, oldest first (tests, health); the last 100 are kept. */
  readonly sent: DemoStudyReport[] = [];

  constructor(private readonly opts: DemoScannerOptions) {
    if (!(opts.ratePerMinute > 0)) throw new RangeError(`ratePerMinute must be > 0, got ${opts.ratePerMinute}`);
    if (!(opts.slices.min >= 1 && opts.slices.max >= opts.slices.min)) throw new RangeError('slices must satisfy 1 <= min <= max');
    this.intervalMs = 60_000 / opts.ratePerMinute;
    this.firstSeed = (opts.seed ?? Math.floor(Date.now() / 1000)) >>> 0;
    this.client = new CStoreClient(opts.target, opts.timeouts);
  }

  /** Starts ticking; the first study goes out after firstDelayMs. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.nextDue = Date.now() + (this.opts.firstDelayMs ?? 1000);
    this.schedule();
    this.opts.log.info({ ratePerMinute: this.opts.ratePerMinute, target: `${this.opts.target.calledAeTitle}@${this.opts.target.host}:${this.opts.target.port}` }, 'demo scanner started');
  }

  /** Stops ticking, waits for a study being sent to finish, and ends the generator's worker. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    await this.generator.close();
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.tick().finally(() => {
        this.inFlight = undefined;
        // Keep the rate, but never burst to catch up after a slow or failed tick.
        this.nextDue = Math.max(this.nextDue + this.intervalMs, Date.now());
        this.schedule();
      });
    }, Math.max(0, this.nextDue - Date.now()));
  }

  private async tick(): Promise<void> {
    const seed = (this.firstSeed + this.index) >>> 0;
    try {
      if (this.pending?.seed !== seed) {
        const kind = this.opts.kind ?? 'demo';
        const asked = kind === 'demo' ? demoMixHemorrhage(seed) : mixHemorrhage(seed);
        const rng = createRandom(deriveSeed(seed, 'demo-slices'));
        const drawn = rng.int(this.opts.slices.min, this.opts.slices.max);
        const slices = kind === 'demo' ? Math.max(2, Math.min(DEMO_SCAN_SLICES, drawn)) : drawn;
        const started = performance.now();
        const study = await this.generator.generate({ seed, slices, size: this.opts.size ?? 512, hemorrhage: asked, kind });
        // A demo subtype that found no place in the slices sent is not claimed: report the truth.
        const subtypes = kind === 'demo' ? SUBTYPES.filter((s) => study.truth[s] === 1) : asked;
        this.pending = { seed, subtypes, study, generateMs: performance.now() - started };
      }
      if (!this.running) return;
      const { study, subtypes, generateMs } = this.pending;
      const shuffled = createRandom(deriveSeed(seed, 'demo-order')).chance(this.opts.shuffledShare ?? 0.3);
      const files = shuffled ? shuffle(study.slices, seed) : study.slices;
      const result = await this.client.send(files);
      const report: DemoStudyReport = {
        study: this.index,
        seed,
        subtypes,
        slices: files.length,
        shuffled,
        stored: result.sent,
        failed: result.failed,
        generateMs: Math.round(generateMs),
        sendMs: Math.round(result.ms),
      };
      this.sent.push(report);
      if (this.sent.length > 100) this.sent.shift();
      if (result.failed > 0) {
        // Refused by content, not by the network: resending the same bytes would not help.
        const reasons = [...new Set(result.results.flatMap((r) => (r.ok ? [] : [r.reason])))].slice(0, 3);
        this.opts.log.warn({ ...report, reasons }, 'demo study partly refused');
      } else {
        this.opts.log.info(report, 'demo study sent');
      }
      this.index++;
      this.pending = undefined;
    } catch (err) {
      const error = isAppError(err) ? err.toJSON() : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
      this.opts.log.warn({ study: this.index, seed, error }, 'demo study not sent; retrying next tick');
    }
  }
}

/** A seeded Fisher–Yates shuffle (a copy): the same study is always shuffled the same way. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const rng = createRandom(deriveSeed(seed, 'demo-shuffle'));
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
