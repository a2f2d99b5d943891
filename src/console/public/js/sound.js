// The console's sounds, made in the page (no file to fetch). Browsers let a page play sound
// once the person has used it (signed in, clicked), as a counsellor has.
let context = null;

function tones(steps) {
  try {
    context ??= new AudioContext();
    void context.resume();
    const start = context.currentTime;
    for (const [offset, frequency] of steps) {
      const tone = context.createOscillator();
      const gain = context.createGain();
      tone.frequency.value = frequency;
      gain.gain.value = 0.2;
      tone.connect(gain).connect(context.destination);
      tone.start(start + offset);
      tone.stop(start + offset + 0.18);
    }
  } catch {
    // No audio device (or the browser refused): the banner and the toast still show.
  }
}

/** An alert (a risk word in her chat, a supervisor's whisper): two falling tones. */
export function playAlertSound() {
  tones([
    [0, 880],
    [0.25, 660],
  ]);
}

/** A new conversation waits: one soft tone; three rising ones when it is high-risk. */
export function playArrivalSound(high) {
  tones(
    high
      ? [
          [0, 660],
          [0.2, 880],
          [0.4, 1100],
        ]
      : [[0, 740]],
  );
}
