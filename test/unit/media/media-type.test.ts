import { inlineImageType } from "../../../src/media/media-type";

const bytes = (...parts: (number[] | string)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

const PNG = bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
const JPEG = bytes([0xff, 0xd8, 0xff, 0xe1]);
const GIF = bytes("GIF87a", [1, 0]);
const WEBP = bytes("RIFF", [1, 2, 3, 4], "WEBPVP8L");

describe("which of her files are shown as pictures", () => {
  it("shows the four allow-listed image types when the declaration and the bytes agree", () => {
    expect(inlineImageType("image/png", PNG)).toBe("image/png");
    expect(inlineImageType("image/jpeg", JPEG)).toBe("image/jpeg");
    expect(inlineImageType("IMAGE/JPG; q=1", JPEG)).toBe("image/jpeg");
    expect(inlineImageType("image/gif", GIF)).toBe("image/gif");
    expect(inlineImageType("image/webp", WEBP)).toBe("image/webp");
  });

  it("offers anything else as a download: other types, lies about the type, cut-off magic", () => {
    expect(inlineImageType("image/png", bytes("<html><script></script>"))).toBeNull();
    expect(inlineImageType("text/html", PNG)).toBeNull();
    expect(inlineImageType("image/jpeg", PNG)).toBeNull();
    expect(inlineImageType("image/svg+xml", bytes("<svg/>"))).toBeNull();
    expect(inlineImageType("image/webp", bytes("RIFF", [1, 2, 3, 4], "WAVE"))).toBeNull();
    expect(inlineImageType("image/png", PNG.subarray(0, 7))).toBeNull();
    expect(inlineImageType("application/octet-stream", JPEG)).toBeNull();
  });
});
