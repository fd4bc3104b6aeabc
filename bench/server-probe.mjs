// Preloaded into a server process by the load benches (NODE_OPTIONS="--expose-gc --import …"), so that the server's
// own code stays untouched. On SIGUSR2 it collects garbage and writes the process's memory as one JSON line on
// stdout, where startServer hands every line after "listening" to its `log` callback. With BENCH_CPU_PROFILE=FILE it
// also records a CPU profile (what `node --cpu-prof` does, which NODE_OPTIONS does not allow) into FILE at exit.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

process.on('SIGUSR2', () => {
  globalThis.gc?.();
  process.stdout.write(`${JSON.stringify({ msg: 'bench memory', gc: typeof globalThis.gc === 'function', ...process.memoryUsage() })}\n`);
});

const profileFile = process.env.BENCH_CPU_PROFILE;
if (profileFile) {
  const session = new Session();
  session.connect();
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.enable');
  session.post('Profiler.start');
  // An in-process session answers synchronously, so the profile is written even from the 'exit' event.
  process.once('exit', () =>
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(profileFile, JSON.stringify(result.profile));
    }),
  );
}
