/**
 * Which of her files the console may show as a picture. Only these image types are rendered
 * inline; everything else (HTML, SVG, PDF, video, an unknown type) is served as an attachment,
 * so nothing she (or anyone posing as her) sends can run as a page on the console's origin.
 */
const IMAGE_MAGIC: { type: string; matches: (head: Uint8Array) => boolean }[] = [
  { type: "image/jpeg", matches: (h) => startsWith(h, [0xff, 0xd8, 0xff]) },
  {
    type: "image/png",
    matches: (h) => startsWith(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
  {
    type: "image/gif",
    matches: (h) => startsWith(h, ascii("GIF87a")) || startsWith(h, ascii("GIF89a")),
  },
  {
    type: "image/webp",
    matches: (h) => startsWith(h, ascii("RIFF")) && startsWith(h.subarray(8), ascii("WEBP")),
  },
];

/** Bytes enough to tell every allow-listed type by its magic number. */
export const MAGIC_BYTES = 12;

/**
 * The image type to serve inline, or null (an attachment): LINE's declared type and the bytes'
 * magic number must name the same allow-listed type. A declared image/png that is really HTML
 * is not an image; nor are bytes of a PNG declared as text/html.
 */
export function inlineImageType(declared: string, head: Uint8Array): string | null {
  const base = declared.split(";")[0]?.trim().toLowerCase() ?? "";
  const claimed = base === "image/jpg" ? "image/jpeg" : base;
  const proved = IMAGE_MAGIC.find((m) => m.matches(head))?.type;
  return proved !== undefined && proved === claimed ? proved : null;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}
