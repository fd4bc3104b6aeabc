import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** A widget's videos by part name, and the stream each should play (null: none). */
export type StreamsByPart = Record<string, MediaStream | null>;

/**
 * Gives a widget's videos their streams after each update, and only when a stream changed. Setting `srcObject`
 * reloads a video even when it is given the stream it already plays (the picture blanks, `loadstart` fires, playback
 * counters reset), so it is no template binding: Lit sets an object-valued property again at every render, and a
 * call re-renders every second for its timer.
 *
 * @example
 * new VideoStreams(el, () => ({ 'remote-video': session.remoteStream }));
 */
export class VideoStreams implements ReactiveController {
  readonly #host: ReactiveControllerHost & { renderRoot: ParentNode };
  readonly #streams: () => StreamsByPart;

  constructor(host: ReactiveControllerHost & { renderRoot: ParentNode }, streams: () => StreamsByPart) {
    this.#host = host;
    this.#streams = streams;
    host.addController(this);
  }

  hostUpdated(): void {
    for (const [part, stream] of Object.entries(this.#streams())) {
      const video = this.#host.renderRoot.querySelector<HTMLVideoElement>(`video[part=${part}]`);
      if (video && video.srcObject !== stream) video.srcObject = stream;
    }
  }
}
