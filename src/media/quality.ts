/** How a call's connection is doing, as a person would put it. */
export type Quality = 'good' | 'fair' | 'poor';

/** What the rating looks at, measured over the last interval. */
export interface LinkMeasures {
  /** Round-trip time of the selected candidate pair, in seconds. */
  readonly rtt?: number;
  /** Share of the packets sent to us in the interval that were lost, 0…1. */
  readonly loss?: number;
  /** Jitter of the incoming streams, in seconds (the worst of audio and video). */
  readonly jitter?: number;
}

/**
 * Thresholds after ITU-T G.114 (one-way delay under 150 ms is good; a round trip over 600 ms disrupts conversation)
 * and the loss rates at which Opus and VP8 concealment stop hiding errors (a few percent is barely heard, ten is).
 */
const fair = { rtt: 0.3, loss: 0.03, jitter: 0.05 };
const poor = { rtt: 0.6, loss: 0.1, jitter: 0.1 };

function exceeds(measures: LinkMeasures, limits: typeof fair): boolean {
  return (measures.rtt ?? 0) >= limits.rtt || (measures.loss ?? 0) >= limits.loss || (measures.jitter ?? 0) >= limits.jitter;
}

/**
 * Rates a connection: poor when any measure is past the poor threshold, fair when past the fair one, else good.
 * Undefined when nothing was measured yet. Pure.
 *
 * @example
 * rateQuality({ rtt: 0.02, loss: 0, jitter: 0.004 }); // 'good'
 */
export function rateQuality(measures: LinkMeasures): Quality | undefined {
  if (measures.rtt === undefined && measures.loss === undefined && measures.jitter === undefined) return undefined;
  return exceeds(measures, poor) ? 'poor' : exceeds(measures, fair) ? 'fair' : 'good';
}

/** The counters of an RTCStatsReport that the rating needs, summed over the incoming streams. */
export interface StatsSnapshot {
  readonly rtt?: number;
  readonly jitter?: number;
  readonly received: number;
  readonly lost: number;
}

/** Reads a snapshot from `getStats()`'s report (or a Map of the same entries). Pure. */
export function snapshot(report: { values(): Iterable<Record<string, unknown>> }): StatsSnapshot {
  let rtt: number | undefined;
  let jitter: number | undefined;
  let received = 0;
  let lost = 0;
  for (const stats of report.values()) {
    if (stats.type === 'candidate-pair' && stats.nominated && stats.state === 'succeeded' && typeof stats.currentRoundTripTime === 'number') {
      rtt = stats.currentRoundTripTime;
    }
    if (stats.type === 'inbound-rtp') {
      received += Number(stats.packetsReceived ?? 0);
      lost += Math.max(0, Number(stats.packetsLost ?? 0));
      if (typeof stats.jitter === 'number') jitter = Math.max(jitter ?? 0, stats.jitter);
    }
  }
  return { rtt, jitter, received, lost };
}

/** The measures over the interval between two snapshots: loss from the counters' growth, RTT and jitter as now. Pure. */
export function measuresBetween(before: StatsSnapshot | undefined, now: StatsSnapshot): LinkMeasures {
  const received = now.received - (before?.received ?? 0);
  const lost = now.lost - (before?.lost ?? 0);
  const packets = received + lost;
  return { rtt: now.rtt, jitter: now.jitter, loss: packets > 0 ? lost / packets : undefined };
}

/**
 * Polls `pc.getStats()` every `intervalMs` and reports the quality whenever its rating changes, until the returned
 * function is called or the connection closes.
 *
 * @example
 * const stop = watchQuality(session.pc, (quality) => element.quality = quality);
 */
export function watchQuality(pc: RTCPeerConnection, onChange: (quality: Quality) => void, intervalMs = 2000): () => void {
  let last: StatsSnapshot | undefined;
  let rated: Quality | undefined;
  const poll = async () => {
    if (pc.connectionState === 'closed') return stop();
    const now = snapshot(await pc.getStats());
    const quality = rateQuality(measuresBetween(last, now));
    last = now;
    if (quality && quality !== rated) onChange((rated = quality));
  };
  const timer = setInterval(() => void poll().catch(() => {}), intervalMs);
  const stop = () => clearInterval(timer);
  void poll().catch(() => {});
  return stop;
}
