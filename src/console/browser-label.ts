/**
 * A coarse name for the browser behind a User-Agent ("Chrome / Windows"), so that she can tell
 * her sessions apart on the account page. Only this label is kept, never the User-Agent itself
 * (which, with its versions, says more about her device than she needs to show anyone).
 */
export function browserLabel(userAgent: string | undefined): string {
  const ua = userAgent ?? "";
  const browser = firstMatch(ua, BROWSERS) ?? "ブラウザ";
  const system = firstMatch(ua, SYSTEMS);
  return system ? `${browser} / ${system}` : browser;
}

/** Checked in order: Edge and Opera also say "Chrome", Chrome also says "Safari". */
const BROWSERS: [RegExp, string][] = [
  [/Edg(e|A|iOS)?\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/Firefox\/|FxiOS\//, "Firefox"],
  [/Chrome\/|CriOS\/|Chromium\//, "Chrome"],
  [/Safari\//, "Safari"],
];

const SYSTEMS: [RegExp, string][] = [
  [/iPhone|iPad|iPod/, "iOS"],
  [/Android/, "Android"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

function firstMatch(ua: string, table: [RegExp, string][]): string | undefined {
  return table.find(([pattern]) => pattern.test(ua))?.[1];
}
