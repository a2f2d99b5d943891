import { loadPreset, presetDir } from "../../src/config/preset-loader";
import type { OpeningHours, Preset } from "../../src/flows/flow-types";

const ALL_DAY = [{ start: 0, end: 24 * 60 }];
const AROUND_THE_CLOCK: OpeningHours = {
  weekly: {
    mon: ALL_DAY,
    tue: ALL_DAY,
    wed: ALL_DAY,
    thu: ALL_DAY,
    fri: ALL_DAY,
    sat: ALL_DAY,
    sun: ALL_DAY,
  },
  holidays: "open",
  closedDates: [],
};

/** The real Gunma preset. */
export const gunma = (): Preset => loadPreset(presetDir("gunma"));

/**
 * Gunma with every region open around the clock: for tests of what happens while counsellors
 * are on duty, so that they do not depend on the hour or the holiday they run on.
 */
export function gunmaOpenAroundTheClock(): Preset {
  const preset = gunma();
  return {
    ...preset,
    regions: preset.regions.map((r) => ({ ...r, hours: AROUND_THE_CLOCK })),
  };
}

/**
 * The preset with room for every chat a suite gives one counsellor: suites about other things
 * let one counsellor take many chats without closing them (the limit's own tests keep it, in
 * shift-supervision.test.ts and console-shift.test.ts).
 */
export const withRoomForEveryChat = (preset: Preset): Preset => ({ ...preset, maxActiveChats: 20 });
