import { measuresBetween, rateQuality, snapshot, type Quality, type StatsSnapshot } from './quality.js';

/**
 * The network path a call's media takes: `direct` between the two browsers (host, server-reflexive or peer-reflexive
 * candidates) or `relayed` through a TURN server (either side's selected candidate is a relay).
 */
export interface ConnectionPath {
  readonly path: 'direct' | 'relayed';
  /** This side's selected candidate: `host`, `srflx`, `prflx` or `relay`. */
  readonly candidateType: RTCIceCandidateType;
  /** The other side's selected candidate's type. */
  readonly remoteCandidateType?: RTCIceCandidateType;
  /** How this side reaches its TURN server when it relays: `udp`, `tcp` or `tls` (`turns:`). */
  readonly relayProtocol?: 'udp' | 'tcp' | 'tls';
  /** Round-trip time of the selected pair, in seconds. */
  readonly rtt?: number;
  /** Share of the incoming packets lost over the last interval, 0…1. */
  readonly loss?: number;
}

type Stats = Record<string, unknown>;

/**
 * The selected candidate pair of a `getStats()` report: the one the transport names (`selectedCandidatePairId`,
 * Chromium), else the one flagged `selected` (Firefox), else a nominated pair that succeeded.
 */
function selectedPair(all: Map<string, Stats>): Stats | undefined {
  const pairs = [...all.values()].filter((stats) => stats.type === 'candidate-pair');
  for (const stats of all.values()) {
    if (stats.type === 'transport' && typeof stats.selectedCandidatePairId === 'string') return all.get(stats.selectedCandidatePairId);
  }
  return pairs.find((pair) => pair.selected === true) ?? pairs.find((pair) => pair.nominated && pair.state === 'succeeded');
}

/**
 * Reads the path from a `getStats()` report (or a Map of the same entries); undefined before a pair is selected. Pure.
 *
 * @example
 * connectionPath(await pc.getStats()); // {path: 'relayed', candidateType: 'relay', relayProtocol: 'udp', rtt: 0.002}
 */
export function connectionPath(report: { forEach(callback: (stats: Stats, id: string) => void): void }, loss?: number): ConnectionPath | undefined {
  const all = new Map<string, Stats>();
  report.forEach((stats, id) => all.set(id, stats));
  const pair = selectedPair(all);
  const local = pair && all.get(String(pair.localCandidateId));
  if (!local) return undefined;
  const remote = all.get(String(pair!.remoteCandidateId));
  const candidateType = local.candidateType as RTCIceCandidateType;
  const remoteCandidateType = remote?.candidateType as RTCIceCandidateType | undefined;
  const relayed = candidateType === 'relay' || remoteCandidateType === 'relay';
  const relayProtocol = candidateType === 'relay' ? (local.relayProtocol as ConnectionPath['relayProtocol']) : undefined;
  const rtt = typeof pair!.currentRoundTripTime === 'number' ? pair!.currentRoundTripTime : undefined;
  return { path: relayed ? 'relayed' : 'direct', candidateType, remoteCandidateType, relayProtocol, rtt, loss };
}

/** The path and the quality of a connection, as `watchLink` reports them. */
export interface LinkReport {
  readonly quality: Quality;
  readonly path?: ConnectionPath;
}

/** A change worth reporting: another rating, or another path (an ICE restart may move a call onto a relay or off it). */
function changed(before: LinkReport | undefined, now: LinkReport): boolean {
  const { path: a } = before ?? {};
  const { path: b } = now;
  return before?.quality !== now.quality || a?.path !== b?.path || a?.candidateType !== b?.candidateType || a?.relayProtocol !== b?.relayProtocol;
}

/**
 * Polls `pc.getStats()` every `intervalMs` and reports the quality and the path at each poll once rated, `changed`
 * telling whether the rating or the path differs from the last report, until the returned function is called or the
 * connection closes.
 *
 * @example
 * const stop = watchLink(session.pc, ({ quality, path }, changed) => changed && console.log(quality, path?.path));
 */
export function watchLink(pc: RTCPeerConnection, onReport: (report: LinkReport, changed: boolean) => void, intervalMs = 2000): () => void {
  let last: StatsSnapshot | undefined;
  let reported: LinkReport | undefined;
  const poll = async () => {
    if (pc.connectionState === 'closed') return stop();
    const report = await pc.getStats();
    const now = snapshot(report);
    const measures = measuresBetween(last, now);
    last = now;
    const quality = rateQuality(measures);
    if (!quality) return;
    const link = { quality, path: connectionPath(report, measures.loss) };
    const news = changed(reported, link);
    reported = link;
    onReport(link, news);
  };
  const timer = setInterval(() => void poll().catch(() => {}), intervalMs);
  const stop = () => clearInterval(timer);
  void poll().catch(() => {});
  return stop;
}
