// DOM helpers. Every text that comes from the API goes through textContent or createTextNode:
// her messages, notes and names can hold markup, and must show as the text she typed.

/**
 * Builds an element. `text` is set with textContent; attributes with setAttribute; `on` adds
 * listeners. Nothing here ever assigns HTML.
 */
export function el(tag, opts = {}, children = []) {
  const node = document.createElement(tag);
  if (opts.className) node.className = opts.className;
  if (opts.text !== undefined && opts.text !== null) node.textContent = String(opts.text);
  for (const [name, value] of Object.entries(opts.attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const [name, handler] of Object.entries(opts.on || {})) node.addEventListener(name, handler);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

export const $ = (id) => document.getElementById(id);

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

const TZ = "Asia/Tokyo";
const dateTime = new Intl.DateTimeFormat("ja-JP", {
  timeZone: TZ,
  month: "numeric",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const fullDate = new Intl.DateTimeFormat("ja-JP", {
  timeZone: TZ,
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const clock = new Intl.DateTimeFormat("ja-JP", {
  timeZone: TZ,
  hour: "2-digit",
  minute: "2-digit",
});

/** "11/23 14:05" in Japan time; "" for null. */
export const formatDateTime = (iso) => (iso ? dateTime.format(new Date(iso)) : "");
export const formatFullDate = (iso) => (iso ? fullDate.format(new Date(iso)) : "");
export const formatClock = (iso) => (iso ? clock.format(new Date(iso)) : "");

/** A wait as people say it: "45秒", "12分", "1時間5分". */
export function formatElapsed(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}秒`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}分`;
  return `${Math.floor(m / 60)}時間${m % 60}分`;
}

/** A `datetime-local` value (Japan time, as typed) as an ISO string. */
export function localInputToIso(value) {
  if (!value) return undefined;
  const date = new Date(`${value}:00+09:00`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

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

/** Calls `fn` once, `ms` after the last of a burst of calls. */
export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
