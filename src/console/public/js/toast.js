// The console's passing messages.
import { $ } from "../kit/dom.js";

let toastTimer;
/** A short message at the bottom of the screen, read out by screen readers. */
export function toast(message, kind = "info") {
  const node = $("toast");
  node.textContent = message;
  node.className = kind === "error" ? "toast error" : "toast";
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (node.hidden = true), kind === "error" ? 8000 : 4000);
}
