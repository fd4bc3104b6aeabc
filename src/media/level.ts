/** Below this the meter shows nothing: room noise of a quiet microphone. */
const FLOOR_DB = -60;

/**
 * The loudness of `samples` (time-domain, -1…1) on a 0…1 scale: RMS in dBFS, mapped linearly from -60 dB (0) to
 * 0 dB (1), which matches how loud people perceive speech better than raw RMS does. Pure.
 *
 * @example
 * loudness(new Float32Array(128)); // 0
 */
export function loudness(samples: Float32Array): number {
  let sum = 0;
  for (const sample of samples) sum += sample * sample;
  const rms = Math.sqrt(sum / (samples.length || 1));
  const db = 20 * Math.log10(rms || 1e-9);
  return Math.min(1, Math.max(0, (db - FLOOR_DB) / -FLOOR_DB));
}

/**
 * Reports the loudness of the audio of `stream` on every animation frame until the returned function is called.
 * The stream is only analysed, never played, so it cannot echo. A context made here is closed on stop; a `shared` one is not.
 *
 * @example
 * const stop = watchLevel(localStream, (level) => meter.value = level);
 */
export function watchLevel(stream: MediaStream, onLevel: (level: number) => void, shared?: AudioContext): () => void {
  const context = shared ?? new AudioContext();
  const source = context.createMediaStreamSource(stream);
  const analyser = new AnalyserNode(context, { fftSize: 1024 });
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let frame = 0;
  const tick = () => {
    analyser.getFloatTimeDomainData(samples);
    onLevel(loudness(samples));
    frame = requestAnimationFrame(tick);
  };
  void context.resume().catch(() => {});
  tick();
  return () => {
    cancelAnimationFrame(frame);
    source.disconnect();
    if (!shared) void context.close().catch(() => {});
  };
}
