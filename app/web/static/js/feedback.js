// Sound (WebAudio beeps) and vibration per scan outcome. Browsers only allow audio after
// a user gesture; the first key press or tap unlocks it.
let audio = null;

export function unlockAudio() {
  if (audio || !(window.AudioContext || window.webkitAudioContext)) return;
  try {
    audio = new (window.AudioContext || window.webkitAudioContext)();
  } catch (err) {
    audio = null;
  }
}

function tone(freqHz, startS, lengthS) {
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.type = "square";
  osc.frequency.value = freqHz;
  gain.gain.value = 0.08;
  osc.connect(gain).connect(audio.destination);
  const t = audio.currentTime + startS;
  osc.start(t);
  osc.stop(t + lengthS);
}

const PATTERNS = {
  queued: { tones: [[1200, 0, 0.06]], vibrate: 30 },
  applied: { tones: [[1500, 0, 0.08]], vibrate: 40 },
  duplicate: { tones: [[700, 0, 0.08], [700, 0.12, 0.08]], vibrate: [60, 60, 60] },
  anomaly: { tones: [[900, 0, 0.1], [600, 0.13, 0.14]], vibrate: [120, 60, 120] },
  rejected: { tones: [[220, 0, 0.35]], vibrate: [250, 100, 250] },
  error: { tones: [[220, 0, 0.35]], vibrate: [250, 100, 250] },
};

export function signal(kind) {
  const p = PATTERNS[kind];
  if (!p) return;
  if (audio) {
    try {
      if (audio.state === "suspended") audio.resume();
      p.tones.forEach(([f, s, l]) => tone(f, s, l));
    } catch (err) { /* sound is a nicety */ }
  }
  if (navigator.vibrate) navigator.vibrate(p.vibrate);
}
