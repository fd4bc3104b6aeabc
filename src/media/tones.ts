/**
 * A telephone tone: frequencies played together, switched on and off in a repeating cadence.
 * `cadence` lists seconds on, off, on, off…; it repeats from the start.
 */
export interface Tone {
  readonly frequencies: readonly number[];
  readonly cadence: readonly number[];
}

/**
 * The tones of a call. Generated, so that a site hosts no audio files. Ringback follows the North American
 * cadence most people know from films (440 + 480 Hz, 2 s on, 4 s off); the incoming ring is a brighter double burst,
 * distinct from the ringback, so that a page with two widgets says which one rings.
 */
export const tones = {
  /** The caller hears it while a device of the callee rings. */
  ringback: { frequencies: [440, 480], cadence: [2, 4] },
  /** The callee hears it while an incoming call waits for accept or decline. */
  ring: { frequencies: [660, 880], cadence: [0.4, 0.2, 0.4, 2] },
} as const satisfies Record<string, Tone>;

/**
 * The stretches, as `[start, end]` seconds from the tone's start, during which `tone` sounds, for each one that
 * starts within `[from, to)`. A player that asks for consecutive ranges schedules every stretch exactly once.
 * Pure, so that the cadence is tested without audio.
 *
 * @example
 * soundingWindows(tones.ringback, 0, 12); // [[0, 2], [6, 8]]
 */
export function soundingWindows(tone: Tone, from: number, to: number): [number, number][] {
  const period = tone.cadence.reduce((sum, seconds) => sum + seconds, 0);
  const windows: [number, number][] = [];
  if (!(period > 0)) return windows;
  for (let cycle = Math.floor(from / period) * period; cycle < to; cycle += period) {
    let at = cycle;
    tone.cadence.forEach((seconds, index) => {
      if (index % 2 === 0 && at >= from && at < to) windows.push([at, at + seconds]);
      at += seconds;
    });
  }
  return windows;
}

/** How far ahead the player schedules the cadence: the timer that extends it may be throttled in a background tab. */
const AHEAD = 8;
/** Fade in and out, so that switching on and off does not click. */
const RAMP = 0.015;
const VOLUME = 0.15;

export interface TonePlayerInit {
  /** The context to play in; one is made (and closed on dispose) when none is given. */
  readonly context?: AudioContext;
  /** Where the tone goes; the context's speakers by default. */
  readonly destination?: AudioNode;
}

/**
 * Plays one tone at a time through Web Audio. Browsers start an AudioContext suspended until the user interacts
 * with the page: the player then waits for the first click or key press and starts sounding (`blocked` tells).
 *
 * @example
 * const player = new TonePlayer();
 * player.play(tones.ringback);
 * // … the callee answers
 * player.stop();
 */
export class TonePlayer {
  readonly context: AudioContext;
  readonly #owned: boolean;
  readonly #gain: GainNode;
  #oscillators: OscillatorNode[] = [];
  #timer?: ReturnType<typeof setInterval>;

  constructor(init: TonePlayerInit = {}) {
    this.#owned = !init.context;
    const context = (this.context = init.context ?? new AudioContext());
    this.#gain = new GainNode(context, { gain: 0 });
    this.#gain.connect(init.destination ?? context.destination);
  }

  /** True while the browser's autoplay policy keeps the tone silent until the user interacts. */
  get blocked(): boolean {
    return this.context.state === 'suspended';
  }

  /** Starts `tone` from the beginning of its cadence, replacing any tone playing. */
  play(tone: Tone): void {
    this.stop();
    const context = this.context;
    if (this.blocked) {
      void context.resume().catch(() => {});
      addEventListener('pointerdown', this.#unblock, { capture: true });
      addEventListener('keydown', this.#unblock, { capture: true });
    }
    this.#oscillators = tone.frequencies.map((frequency) => {
      const oscillator = new OscillatorNode(context, { frequency });
      oscillator.connect(this.#gain);
      oscillator.start();
      return oscillator;
    });
    const start = context.currentTime;
    let scheduled = 0;
    const schedule = () => {
      const now = context.currentTime - start;
      for (const [on, off] of soundingWindows(tone, scheduled, now + AHEAD)) {
        this.#gain.gain.setTargetAtTime(VOLUME, start + on, RAMP / 3);
        this.#gain.gain.setTargetAtTime(0, start + off - RAMP, RAMP / 3);
      }
      scheduled = now + AHEAD;
    };
    schedule();
    this.#timer = setInterval(schedule, (AHEAD / 2) * 1000);
  }

  /** Silences the tone at once. */
  stop(): void {
    clearInterval(this.#timer);
    const gain = this.#gain.gain;
    gain.cancelScheduledValues(0);
    gain.setValueAtTime(0, this.context.currentTime);
    for (const oscillator of this.#oscillators.splice(0)) {
      oscillator.stop();
      oscillator.disconnect();
    }
  }

  /** Stops, and closes the context if the player made it. */
  dispose(): void {
    this.stop();
    this.#gain.disconnect();
    this.#unlisten();
    if (this.#owned) void this.context.close().catch(() => {});
  }

  readonly #unblock = (): void => {
    this.#unlisten();
    void this.context.resume().catch(() => {});
  };

  #unlisten(): void {
    removeEventListener('pointerdown', this.#unblock, { capture: true });
    removeEventListener('keydown', this.#unblock, { capture: true });
  }
}
