// The pure parts of src/media: tone cadence, loudness, quality rating, remembered devices.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDeviceChoice, mediaConstraints, saveDeviceChoice } from '../../src/media/devices.js';
import { loudness } from '../../src/media/level.js';
import { measuresBetween, rateQuality, snapshot } from '../../src/media/quality.js';
import { soundingWindows, tones } from '../../src/media/tones.js';

describe('tone cadence', () => {
  it('sounds the ringback 2 s of every 6 s', () => {
    assert.deepEqual(soundingWindows(tones.ringback, 0, 12), [
      [0, 2],
      [6, 8],
    ]);
  });

  it('lists each stretch once across consecutive ranges, by its start', () => {
    const pieces = [...soundingWindows(tones.ring, 0, 1.7), ...soundingWindows(tones.ring, 1.7, 6)];
    assert.deepEqual(pieces, soundingWindows(tones.ring, 0, 6));
    assert.deepEqual(
      pieces.map(([start]) => Math.round(start * 10) / 10),
      [0, 0.6, 3, 3.6],
    );
  });

  it('yields nothing for an empty range or a cadence of zeros', () => {
    assert.deepEqual(soundingWindows(tones.ring, 5, 5), []);
    assert.deepEqual(soundingWindows({ frequencies: [440], cadence: [0, 0] }, 0, 10), []);
  });
});

describe('loudness', () => {
  const sine = (amplitude: number) => Float32Array.from({ length: 1024 }, (_, i) => amplitude * Math.sin(i / 5));

  it('is 0 for silence and for an empty buffer, 1 at full scale', () => {
    assert.equal(loudness(new Float32Array(256)), 0);
    assert.equal(loudness(new Float32Array(0)), 0);
    assert.ok(loudness(sine(1)) > 0.94);
  });

  it('grows with the level in decibels: each tenfold amplitude adds a third', () => {
    const [quiet, loud] = [loudness(sine(0.01)), loudness(sine(0.1))];
    assert.ok(Math.abs(loud - quiet - 1 / 3) < 0.01, `${quiet} → ${loud}`);
  });
});

describe('quality rating', () => {
  it('rates good, fair and poor by the worst measure', () => {
    assert.equal(rateQuality({ rtt: 0.02, loss: 0, jitter: 0.004 }), 'good');
    assert.equal(rateQuality({ rtt: 0.35, loss: 0, jitter: 0.004 }), 'fair');
    assert.equal(rateQuality({ rtt: 0.02, loss: 0.05 }), 'fair');
    assert.equal(rateQuality({ rtt: 0.02, loss: 0, jitter: 0.12 }), 'poor');
    assert.equal(rateQuality({ rtt: 0.7 }), 'poor');
    assert.equal(rateQuality({}), undefined);
  });

  it('reads RTT from the nominated pair, loss and jitter from the inbound streams', () => {
    const report = (received: number, lost: number) =>
      new Map<string, Record<string, unknown>>([
        ['p1', { type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.012 }],
        ['p2', { type: 'candidate-pair', nominated: false, state: 'failed', currentRoundTripTime: 9 }],
        ['a', { type: 'inbound-rtp', kind: 'audio', packetsReceived: received, packetsLost: lost, jitter: 0.003 }],
        ['v', { type: 'inbound-rtp', kind: 'video', packetsReceived: received, packetsLost: 0, jitter: 0.009 }],
      ]);
    const before = snapshot(report(100, 0));
    assert.deepEqual(before, { rtt: 0.012, jitter: 0.009, received: 200, lost: 0 });
    const measures = measuresBetween(before, snapshot(report(190, 10)));
    assert.equal(measures.loss, 10 / 190);
    assert.equal(rateQuality(measures), 'fair');
    assert.equal(measuresBetween(before, before).loss, undefined);
  });
});

describe('remembered devices', () => {
  const memory = () => {
    const items = new Map<string, string>();
    return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
  };

  it('round-trips a choice and ignores what is not a device id', () => {
    const store = memory();
    saveDeviceChoice({ videoinput: 'cam-2', audiooutput: 'speaker-1' }, store);
    assert.deepEqual(loadDeviceChoice(store), { videoinput: 'cam-2', audiooutput: 'speaker-1' });
    store.setItem('wsp-call.devices', '{"__proto__": {"audioinput": "x"}, "videoinput": "", "audiooutput": 42}');
    assert.deepEqual(loadDeviceChoice(store), {});
  });

  it('survives unreadable, refusing and missing stores', () => {
    const store = memory();
    store.setItem('wsp-call.devices', '{not json');
    assert.deepEqual(loadDeviceChoice(store), {});
    const refusing = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    assert.doesNotThrow(() => saveDeviceChoice({ audioinput: 'mic' }, refusing));
    assert.deepEqual(loadDeviceChoice(undefined), {});
  });

  it('asks for the chosen devices as ideal, so a missing one falls back', () => {
    assert.deepEqual(mediaConstraints({ videoinput: 'cam-2' }, { video: true }), { audio: true, video: { deviceId: { ideal: 'cam-2' } } });
    assert.deepEqual(mediaConstraints({ audioinput: 'mic-1', videoinput: 'cam-2' }, { video: false }), {
      audio: { deviceId: { ideal: 'mic-1' } },
      video: false,
    });
  });
});
