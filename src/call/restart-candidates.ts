import type { Frame } from '../protocol/index.js';

/** The ICE username fragment of a description: its first `a=ice-ufrag:` (under BUNDLE every section has the same). */
export function iceUfrag(sdp: string | undefined): string | undefined {
  return /^a=ice-ufrag:(\S+)/m.exec(sdp ?? '')?.[1];
}

/** The part of a `getStats()` report read here: a Map of stats objects by id, as RTCStatsReport is. */
export type StatsReport = Pick<ReadonlyMap<string, Record<string, unknown>>, 'forEach' | 'get'>;

/** The generations of an ICE restart this side offers, by username fragment: its own before, and the peer's before. */
export interface Generations {
  /** This side's ufrag before the restart. */
  readonly local?: string;
  /** The peer's ufrag before the restart. */
  readonly remote?: string;
}

/**
 * How the ICE agent pairs the candidates of a restart this side offers, as a `getStats()` report taken then shows it:
 * - `across`: a local candidate of the new generation is paired with a remote candidate of the peer's previous one
 *   (`remote`). Chromium pairs each new local port with every remote candidate it holds, old ones included, until
 *   the peer's new ones arrive;
 * - `within`: no such pair. Firefox pairs its new candidates with the peer's new ones only (and lists no local
 *   candidate at all while it restarts);
 * - `unknown`: the report lists local candidates, none of the new generation: taken before they were (Chromium hands
 *   out a report up to 50 ms old), so it cannot tell.
 *
 * Reads the `usernameFragment` of the `local-candidate` and `remote-candidate` stats. Pure.
 *
 * @example
 * restartPairing(await pc.getStats(), { local: 'old1', remote: 'peerOld' }); // 'across' in Chromium mid-restart
 */
export function restartPairing(stats: StatsReport, { local, remote }: Generations): 'across' | 'within' | 'unknown' {
  let across = false;
  let locals = 0;
  let fresh = 0;
  stats.forEach((report) => {
    if (report.type === 'local-candidate') {
      locals += 1;
      if (report.usernameFragment !== undefined && report.usernameFragment !== local) fresh += 1;
    } else if (report.type === 'candidate-pair' && remote) {
      const ufrag = (id: unknown) => stats.get(id as string)?.usernameFragment;
      const mine = ufrag(report.localCandidateId);
      across ||= mine !== undefined && mine !== local && ufrag(report.remoteCandidateId) === remote;
    }
  });
  return across ? 'across' : locals && !fresh ? 'unknown' : 'within';
}

/**
 * This side's ICE candidates during an ICE restart it offered (docs/protocol.md §4.7): held back while a check of
 * its ICE agent's pairs is due, and — if the agent pairs them with the peer's previous candidates — until the peer's
 * candidates of the new generation are applied (its end of candidates, after its answer).
 *
 * Why (measured with Chromium 156 restarting and Firefox 153 answering): Chromium checks its new candidates against
 * Firefox's previous ones too, and Firefox's previous ICE session, kept until the new one connects, answers (it
 * matches the first half of the STUN username only). Chromium, the controlling agent, then selects and nominates such
 * a pair; Firefox drops the media it receives on it and never completes its restart. Chromium leaves that pair only
 * for a better one of the new generation on both sides, and it makes one only from a candidate the peer signaled: one
 * it learns from the peer's own check (peer-reflexive) ranks lower and is pruned. The peer checks the new candidates
 * as soon as it knows them, and its checks arrive before its candidates when this side's page is busy. Held back, the
 * new candidates reach the peer after its own are applied here. Firefox's agent pairs nothing across generations, so
 * its candidates go at once: held back, they would reach a Chromium peer after it paired its new ports with Firefox's
 * old candidates (the media from Chromium then stopped for about 3 s). The rule can go once Chromium no longer pairs
 * across generations (test/browser/call-session.test.ts says so then).
 *
 * Knows no peer connection: the session feeds it frames and stats and sends what it returns. Pure.
 *
 * @example
 * const hold = new RestartCandidates();
 * hold.begin({ local: 'a', remote: 'b' }); // before setLocalDescription() of the restart's offer
 * if (hold.keep(frame)) { const mark = hold.mark(); send(...hold.judge(await pc.getStats(), mark)); }
 */
export class RestartCandidates {
  /** What held candidates wait for: a look at the agent's pairs, or the peer's candidates. */
  #waiting?: 'check' | 'peer';
  #generations: Generations = {};
  #held: Frame[] = [];
  /** Candidates held since begin(), sent or not: marks which ones a check covers. */
  #count = 0;
  /** The peer's answer to the restart arrived: an end of candidates from it now is of the new generation. */
  #answered = false;

  /** Candidates wait for a check of the agent's pairs (a restart is being offered). */
  get checking(): boolean {
    return this.#waiting === 'check';
  }

  /**
   * This side is about to set an offer (`generations`: the ufrags before it). Returns the candidates still held from
   * an earlier restart, to send now.
   */
  begin(generations: Generations): Frame[] {
    const held = this.release();
    this.#waiting = 'check';
    this.#generations = generations;
    return held;
  }

  /** Holds `frame` (a candidate of this side) while candidates wait: true when held. */
  keep(frame: Frame): boolean {
    if (!this.#waiting) return false;
    this.#held.push(frame);
    this.#count += 1;
    return true;
  }

  /** How many candidates were held so far: a check started now covers these. */
  mark(): number {
    return this.#count;
  }

  /**
   * The agent's pairs, as `stats` (taken after `mark`) show them: paired within generations, the candidates held up to
   * `mark` go now; across generations, every candidate waits for the peer's; unknown (an old report), they wait for a
   * later look or the peer's. `stats` undefined (getStats() failed): they wait for the peer's.
   */
  judge(stats: StatsReport | undefined, mark: number): Frame[] {
    if (this.#waiting !== 'check') return [];
    const pairing = stats ? restartPairing(stats, this.#generations) : 'across';
    if (pairing === 'across') this.#waiting = 'peer';
    if (pairing !== 'within') return [];
    return this.#held.splice(0, mark - (this.#count - this.#held.length));
  }

  /** The offer set has the same ICE credentials (a renegotiation, not a restart): nothing waits. */
  notRestarted(): Frame[] {
    return this.release();
  }

  /** The peer's answer arrived. */
  answered(): void {
    if (this.#waiting) this.#answered = true;
  }

  /**
   * An end of candidates from the peer: true when it ends the restart's new candidates (it came after the answer)
   * while this side's wait: apply it, then send {@link release}.
   */
  peerEnded(): boolean {
    return this.#waiting !== undefined && this.#answered;
  }

  /** Stops holding: returns the held candidates, in order, to send now. */
  release(): Frame[] {
    this.#waiting = undefined;
    this.#answered = false;
    this.#count = 0;
    return this.#held.splice(0);
  }
}
