/**
 * Which help a risk notice gives: the preset's hotlines that fit the categories of her message.
 * - Lines are kept in the preset's order: an NPO lists first the line to call first (110 before
 *   the DV lines, 119 before the suicide lines), and a line appears only for its categories, so
 *   a woman who wrote only of wanting to die never sees 警察 at all.
 * - Out of hours the 24-hour lines come first: the others may be closed.
 * - There is always a line she can write to, one open now (24 h, out of hours): a woman who
 *   cannot speak aloud can still reach one.
 */
import type { Hotline } from "./flow-types";

export interface HelpContext {
  /** Her region is closed now: no counsellor answers until it opens. */
  outOfHours: boolean;
}

function fits(hotline: Hotline, categories: readonly string[]): boolean {
  return hotline.categories.some((c) => categories.includes(c));
}

/** 24-hour lines first, each group in the preset's order (the sort is stable). */
function aroundTheClockFirst(lines: Hotline[]): Hotline[] {
  return [...lines].sort((a, b) => Number(b.h24) - Number(a.h24));
}

/** A line she can write to now: out of hours only a 24-hour one is sure to answer. */
function writableNow(hotline: Hotline, ctx: HelpContext): boolean {
  return hotline.mode === "text" && (hotline.h24 || !ctx.outOfHours);
}

/**
 * The line to add when none of hers can be written to now: the first open now (none of them fits,
 * or it would be hers already), else a text line that fits, else any.
 */
function writableLine(hotlines: Hotline[], categories: readonly string[], ctx: HelpContext): Hotline | undefined {
  const text = hotlines.filter((h) => h.mode === "text");
  return text.find((h) => writableNow(h, ctx)) ?? text.find((h) => fits(h, categories)) ?? text[0];
}

/** The lines for a risk notice about `categories`, in the order she should read them. */
export function helpLines(hotlines: Hotline[], categories: readonly string[], ctx: HelpContext): Hotline[] {
  const lines = hotlines.filter((h) => fits(h, categories));
  const writable = writableLine(hotlines, categories, ctx);
  if (writable && !lines.includes(writable) && !lines.some((h) => writableNow(h, ctx))) lines.push(writable);
  return ctx.outOfHours ? aroundTheClockFirst(lines) : lines;
}

/**
 * The one line whose number may be shown when the person is near: a discreet line (its number
 * names nothing) that fits, a 24-hour one first out of hours; else the first discreet line.
 */
export function quietLine(hotlines: Hotline[], categories: readonly string[], ctx: HelpContext): Hotline | undefined {
  const discreet = hotlines.filter((h) => h.discreet);
  const fitting = discreet.filter((h) => fits(h, categories));
  return (ctx.outOfHours ? aroundTheClockFirst(fitting) : fitting)[0] ?? discreet[0];
}
