// The console's alert sound: two short tones, made in the page (no file to fetch). Browsers let
// a page play sound once the person has used it (signed in, clicked), as a counsellor has.
let context = null;

export function playAlertSound() {
  try {
    context ??= new AudioContext();
    void context.resume();
    const start = context.currentTime;
    for (const [offset, frequency] of [
      [0, 880],
      [0.25, 660],
    ]) {
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
