import { z } from "zod";
import { AppError } from "../errors";
import type { Preset } from "../flows/flow-types";
import { route, type ApiRoute } from "../http/api-router";
import type { AccountService } from "./account-service";
import type { AuthService } from "./auth-service";
import { signInClientOf } from "./console-routes";
import { colleagueSchema, newCounsellorSchema } from "./console-schemas";

const id = z.uuid();
const iso = z.iso.datetime();

const accountSchema = z.object({
  id,
  loginName: z.string(),
  displayName: z.string(),
  role: z.enum(["counsellor", "supervisor", "admin"]),
  regionId: z.string().nullable(),
  active: z.boolean(),
  mustChangePassword: z.boolean(),
  lastSignInAt: iso.nullable(),
  /** Sessions not yet expired. */
  sessions: z.number().int(),
});
const sessionInfoSchema = z.object({
  id,
  createdAt: iso,
  lastSeenAt: iso,
  clientLabel: z.string().nullable(),
  current: z.boolean(),
});
const passwordChangeSchema = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: z.string().min(1).max(200),
});
const oneTimePasswordSchema = z.object({ oneTimePassword: z.string() });

/**
 * Accounts: admins list those in reach and deactivate, reactivate, reset and end sessions
 * (src/console/account-service.ts says who reaches whom); everyone changes her own password and
 * sees and ends her own sessions.
 */
export function accountRoutes(d: {
  preset: Preset;
  auth: AuthService;
  accounts: AccountService;
}): ApiRoute[] {
  const a = d.accounts;
  return [
    route({
      method: "post",
      path: "/counsellors",
      summary: "Create an account (an admin of one region: of that region, not an admin)",
      roles: ["admin"],
      holdsSecrets: true,
      body: newCounsellorSchema,
      response: colleagueSchema,
      status: 201,
      handler: async ({ user, body }) => {
        if (body.regionId && !d.preset.regions.some((r) => r.id === body.regionId)) {
          throw new AppError("INVALID_INPUT", `Unknown region ${body.regionId}`, 400);
        }
        a.checkCanMake(user, body.role, body.regionId);
        const c = await d.auth.createAccount(user.id, body);
        return { id: c.id, displayName: c.displayName, role: c.role, regionId: c.regionId };
      },
    }),
    route({
      method: "get",
      path: "/accounts",
      summary: "Accounts in my reach, with role, region, whether active, last sign-in",
      roles: ["admin"],
      response: z.array(accountSchema),
      handler: ({ user }) => a.list(user),
    }),
    route({
      method: "post",
      path: "/accounts/:id/deactivate",
      summary: "Deactivate an account: it cannot sign in, its sessions and live streams end",
      roles: ["admin"],
      handler: async ({ user, params }) => {
        await a.setActive(user, await a.accountInReach(user, params.id ?? ""), false);
        return undefined;
      },
    }),
    route({
      method: "post",
      path: "/accounts/:id/reactivate",
      summary: "Let a deactivated account sign in again",
      roles: ["admin"],
      handler: async ({ user, params }) => {
        await a.setActive(user, await a.accountInReach(user, params.id ?? ""), true);
        return undefined;
      },
    }),
    route({
      method: "post",
      path: "/accounts/:id/password-reset",
      summary:
        "Reset the password to a one-time password (shown once): her sessions end, and she must choose her own at the next sign-in",
      roles: ["admin"],
      holdsSecrets: true,
      response: oneTimePasswordSchema,
      handler: async ({ user, params }) => {
        const account = await a.accountInReach(user, params.id ?? "");
        return { oneTimePassword: await a.resetPassword(user, account) };
      },
    }),
    route({
      method: "get",
      path: "/accounts/:id/sessions",
      summary: "An account's sessions",
      roles: ["admin"],
      response: z.array(sessionInfoSchema),
      handler: async ({ user, params }) => {
        const account = await a.accountInReach(user, params.id ?? "");
        return a.sessionsOf(account.id, user.sessionId);
      },
    }),
    route({
      method: "get",
      path: "/me/sessions",
      summary: "My sessions (current: this browser)",
      response: z.array(sessionInfoSchema),
      handler: ({ user }) => a.sessionsOf(user.id, user.sessionId),
    }),
    route({
      method: "delete",
      path: "/sessions/:id",
      summary: "End a session: one of mine, or (an admin) one of an account in reach",
      handler: async ({ user, params }) => {
        await a.endSession(user, params.id ?? "");
        return undefined;
      },
    }),
    route({
      method: "post",
      path: "/me/password",
      summary: "Change my password (the current one first): my other sessions end",
      beforePasswordChange: true,
      holdsSecrets: true,
      body: passwordChangeSchema,
      handler: async ({ user, body, req }) => {
        await a.changeOwnPassword(user, body.currentPassword, body.newPassword, (password) =>
          d.auth.checkOwnPassword(user.id, password, signInClientOf(req)),
        );
        return undefined;
      },
    }),
  ];
}
