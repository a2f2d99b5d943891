import path from "node:path";

/**
 * The browser modules every page shares (api.js, dom.js, sign-in.js). Each feature serves this
 * folder as `kit/` beside its own pages, so a page imports them by a relative URL. Resolved from
 * the repository root, as the compiled build runs from dist/ and ships src's public folders.
 */
export const PUBLIC_KIT_DIR = path.resolve(__dirname, "../../src/http/public");
