import type { Response } from "express";
import { z } from "zod";
import type { Preset } from "../flows/flow-types";
import type { ConsoleUser } from "../http/auth-middleware";
import { route, type ApiRoute } from "../http/api-router";
import type { PersonRightsService, RightsActor } from "../privacy/person-rights-service";
import {
  disclosureOf,
  disclosurePage,
  disclosureSchema,
  DISCLOSURE_STYLE_SOURCE,
} from "./disclosure-page";

const ADMINS: ApiRoute["roles"] = ["admin"];

const personSummarySchema = z.object({
  personId: z.uuid(),
  pseudonym: z.string(),
  firstSeenAt: z.iso.datetime(),
  conversations: z.number().int(),
  /** Erasure waits until these are closed. */
  openConversations: z.number().int(),
  entries: z.number().int(),
  regions: z.array(z.string()),
  erasedAt: z.iso.datetime().nullable(),
});

const eraseInputSchema = z.object({
  /** Her pseudonym typed again: the confirmation. */
  confirm: z.string().min(1).max(100),
});

const erasureSchema = z.object({
  conversations: z.number().int(),
  messages: z.number().int(),
  files: z.number().int(),
  deliveries: z.number().int(),
  rawEvents: z.number().int(),
});

const actorOf = (user: ConsoleUser): RightsActor => ({
  id: user.id,
  role: user.role,
  regionId: user.regionId,
  via: "console",
});

/**
 * The page is served under the console's CSP, plus the hash of its one style block: no script
 * at all, nothing loaded from anywhere. Saved to a file, it is the same page.
 */
function sendPage(res: Response, pseudonym: string, html: string): undefined {
  res
    .type("text/html; charset=utf-8")
    .set(
      "content-security-policy",
      `default-src 'none'; style-src ${DISCLOSURE_STYLE_SOURCE}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    )
    .set("cache-control", "private, no-store")
    .set(
      "content-disposition",
      `inline; filename="disclosure.html"; filename*=UTF-8''${encodeURIComponent(`開示-${pseudonym}.html`)}`,
    )
    .send(html);
  return undefined;
}

/**
 * Her rights (src/privacy/person-rights-service.ts): an admin finds her by pseudonym, erases
 * her content on her request, or produces her disclosure (開示請求) as JSON or as a page.
 */
export function personRightsRoutes(deps: {
  rights: PersonRightsService;
  preset: Preset;
  now?: () => Date;
}): ApiRoute[] {
  const { rights, preset } = deps;
  const clock = deps.now ?? (() => new Date());
  const pseudonymOf = (params: Record<string, string>) => params.pseudonym ?? "";
  return [
    route({
      method: "get",
      path: "/people/:pseudonym",
      summary: "Find a person by her pseudonym before erasure or disclosure (admins)",
      roles: ADMINS,
      response: personSummarySchema,
      handler: ({ user, params }) => rights.find(actorOf(user), pseudonymOf(params)),
    }),
    route({
      method: "post",
      path: "/people/:pseudonym/erase",
      summary:
        "Erase her content on her request (admins; confirm = her pseudonym; 409 while a conversation is open)",
      roles: ADMINS,
      body: eraseInputSchema,
      response: erasureSchema,
      handler: ({ user, params, body }) =>
        rights.erase(actorOf(user), pseudonymOf(params), body.confirm),
    }),
    route({
      method: "get",
      path: "/people/:pseudonym/disclosure",
      summary: "Her disclosure (開示請求) as JSON: conversations, messages and entries (admins)",
      roles: ADMINS,
      response: disclosureSchema,
      handler: async ({ user, params }) =>
        disclosureOf(
          await rights.disclose(actorOf(user), pseudonymOf(params), "json"),
          preset,
          clock(),
        ),
    }),
    route({
      method: "get",
      path: "/people/:pseudonym/disclosure.html",
      summary: "Her disclosure (開示請求) as a printable page in Japanese (admins)",
      roles: ADMINS,
      handler: async ({ user, params, res }) => {
        const pseudonym = pseudonymOf(params);
        const record = await rights.disclose(actorOf(user), pseudonym, "html");
        return sendPage(res, pseudonym, disclosurePage(disclosureOf(record, preset, clock())));
      },
    }),
  ];
}
