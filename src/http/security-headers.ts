import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * The headers every response carries (helmet): the console holds what DV survivors wrote, so its
 * pages run only their own scripts and styles (no inline script, no third party), cannot be
 * framed, never send a Referer, and are not sniffed into another type. HSTS is sent over https
 * only (behind a TLS proxy, set TRUST_PROXY so express knows the request was https).
 */
export function securityHeaders(): RequestHandler[] {
  const hsts = helmet.strictTransportSecurity({
    maxAge: 365 * 24 * 60 * 60,
    includeSubDomains: true,
  });
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          // Her images are served by the console itself; charts draw on canvas.
          imgSrc: ["'self'", "data:", "blob:"],
          mediaSrc: ["'self'", "blob:"],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      referrerPolicy: { policy: "no-referrer" },
      xFrameOptions: { action: "deny" },
      strictTransportSecurity: false,
    }),
    (req, res, next) => (req.secure ? hsts(req, res, next) : next()),
  ];
}
