import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { z } from "zod";
import { verifyAuditChain } from "../audit/audit-chain";
import { recordAudit } from "../audit/audit-log";
import { COMMAND_LINE, createAccountService } from "../console/account-service";
import { createCounsellor } from "../console/auth-service";
import { removeSecondFactor } from "../console/second-factor";
import { clearSignInLimits } from "../console/sign-in-throttle";
import { processEnv } from "../config/env-config";
import { loadPreset, presetDir } from "../config/preset-loader";
import { migrate } from "../db/migration-runner";
import { createPrismaClient, type PrismaClient } from "../db/prisma-client";
import { AppError } from "../errors";
import { createPersonRightsService } from "../privacy/person-rights-service";
import { runMain } from "./run-main";
import { Pool } from "pg";
import { sourceIdOf, type IncomingEvent } from "../line/webhook-event";
import { rotateKey } from "../privacy/key-rotation";
import { createSealer } from "../privacy/sealer";

const USAGE = `Usage:
  npm run admin -- create-user --login NAME --role counsellor|supervisor|admin [--region ID] [--name 表示名] [--password P] [--email ADDRESS]
  npm run admin -- set-email --login NAME --email ADDRESS|none   (where on-call e-mail reaches a supervisor or admin)
  npm run admin -- list-users
  npm run admin -- deactivate --login NAME       (cannot sign in; her sessions and live streams end at once)
  npm run admin -- reactivate --login NAME
  npm run admin -- reset-password --login NAME   (a one-time password, printed once; her sessions end;
                                                  she must choose her own at the next sign-in)
  npm run admin -- list-sessions --login NAME
  npm run admin -- end-sessions --login NAME     (signs her out everywhere)
  npm run admin -- unlock NAME                   (clears the sign-in throttling of NAME; --login NAME too)
  npm run admin -- reset-second-factor NAME      (removes the second factor of NAME, e.g. a lost phone)
  npm run admin -- verify-audit [--head N:HASH]  (walks the audit log's hash chain; prints the rows checked,
                                                  its head, and the first broken link, if any: then exits 1;
                                                  --head: a head printed before, which must still be there)
  npm run admin -- erase-person PSEUDONYM --confirm  (her request: her content erased, her counts kept
                                                  anonymously; refused while a conversation is open)
  npm run admin -- rotate-key                    (re-seals and re-hashes everything under APP_SECRET_KEY
                                                  what APP_SECRET_KEY_PREVIOUS sealed, or what was stored
                                                  in clear before sealing; safe while the service runs)
  npm run admin -- --help
Uses DATABASE_URL (with npm run demo running and no DATABASE_URL: the demo's database);
rotate-key also APP_SECRET_KEY and APP_SECRET_KEY_PREVIOUS.
Without --password a password is generated and printed once.
Every change is kept in the audit log (as made on the command line).`;

const DEMO_DATABASE_URL = "postgresql://postgres:postgres@127.0.0.1:54329/line_support";

const createArgs = z.object({
  login: z.string().regex(/^[a-z0-9._-]{3,40}$/, "--login: 3–40 characters a-z 0-9 . _ -"),
  role: z.enum(["counsellor", "supervisor", "admin"], {
    error: "--role: counsellor, supervisor or admin",
  }),
  region: z.string().optional(),
  name: z.string().min(1).max(20).optional(),
  password: z.string().optional(),
  email: z.email("--email: an e-mail address").max(200).optional(),
});

const emailArgs = z.object({
  login: z.string({ error: "--login is required" }),
  email: z.union([z.literal("none"), z.email("--email: an e-mail address or none").max(200)], {
    error: "--email: an e-mail address or none",
  }),
});

const loginArgs = z.object({ login: z.string({ error: "--login is required" }) });

const usage = (issues: { message: string }[]) =>
  new AppError("USAGE", `${issues.map((i) => i.message).join("\n")}\n\n${USAGE}`);

/** `npm run admin -- …`: console accounts from the command line (the first admin, mostly). */
runMain(async () => {
  const { positionals, values } = parsedArgs();
  if (values.help || positionals[0] === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const databaseUrl = processEnv().DATABASE_URL || DEMO_DATABASE_URL;
  await migrate(databaseUrl);
  if (positionals[0] === "rotate-key") return rotateKeyCommand(databaseUrl);
  const prisma = createPrismaClient(databaseUrl, 2);
  try {
    if (positionals[0] === "create-user") {
      const parsed = createArgs.safeParse(values);
      if (!parsed.success) throw usage(parsed.error.issues);
      const a = parsed.data;
      const preset = loadPreset(presetDir(processEnv().FLOW_PRESET || "gunma"));
      if (a.region && !preset.regions.some((r) => r.id === a.region)) {
        const known = preset.regions.map((r) => r.id).join(", ");
        throw new AppError(
          "USAGE",
          `--region ${a.region} is not a region of ${preset.id} (${known})`,
        );
      }
      const password = a.password ?? randomBytes(12).toString("base64url");
      const c = await createCounsellor(prisma, {
        loginName: a.login,
        displayName: a.name ?? a.login,
        password,
        role: a.role,
        regionId: a.region ?? null,
        email: a.email ?? null,
      });
      process.stdout.write(
        `Created ${c.role} "${c.loginName}"${c.regionId ? ` (${c.regionId})` : ""}.\n`,
      );
      await recordAudit(prisma, {
        by: null,
        action: "create-account",
        detail: { accountId: c.id, role: c.role, via: "admin-command" },
      });
      if (!a.password) process.stdout.write(`Password (shown once): ${password}\n`);
    } else if (positionals[0] === "set-email") {
      const parsed = emailArgs.safeParse(values);
      if (!parsed.success) throw usage(parsed.error.issues);
      const email = parsed.data.email === "none" ? null : parsed.data.email;
      const account = await prisma.counsellor.findUnique({
        where: { loginName: parsed.data.login },
      });
      if (!account) throw new AppError("USAGE", `No account "${parsed.data.login}"\n\n${USAGE}`);
      await prisma.$transaction(async (tx) => {
        await tx.counsellor.update({ where: { id: account.id }, data: { email } });
        await recordAudit(tx, {
          by: null,
          action: "oncall-email",
          detail: { counsellorId: account.id, set: email !== null, via: "admin-command" },
        });
      });
      process.stdout.write(
        email
          ? `On-call e-mail of "${parsed.data.login}": ${email}\n`
          : `On-call e-mail of "${parsed.data.login}" removed.\n`,
      );
    } else if (positionals[0] === "unlock" || positionals[0] === "reset-second-factor") {
      const login = positionals[1] ?? values.login;
      if (!login) throw new AppError("USAGE", `Which account? ${positionals[0]} NAME\n\n${USAGE}`);
      const c = await prisma.counsellor.findUnique({ where: { loginName: login } });
      if (!c) throw new AppError("USAGE", `No account "${login}"\n\n${USAGE}`);
      const detail = { counsellorId: c.id, via: "admin-command" };
      if (positionals[0] === "unlock") {
        await clearSignInLimits(prisma, c.id);
        await recordAudit(prisma, { by: null, action: "unlock-account", detail });
        process.stdout.write(`Sign-in throttling of "${login}" cleared.\n`);
      } else {
        await removeSecondFactor(prisma, c.id, { by: null, action: "reset-second-factor", detail });
        process.stdout.write(
          `Second factor of "${login}" removed: she signs in with her password and sets it up again.\n`,
        );
      }
    } else if (positionals[0] === "verify-audit") {
      await verifyAudit(prisma, values.head);
    } else if (positionals[0] === "erase-person") {
      await erasePersonCommand(prisma, positionals[1], values.confirm === true);
    } else if (positionals[0] === "list-users") {
      for (const c of await prisma.counsellor.findMany({ orderBy: { loginName: "asc" } })) {
        const lastSignIn = c.lastSignInAt?.toISOString() ?? "never";
        const mustChange = c.mustChangePassword ? "\tmust-change-password" : "";
        process.stdout.write(
          `${c.loginName}\t${c.role}\t${c.regionId ?? "all"}\t${c.active ? "active" : "disabled"}\t${c.displayName}\t${c.email ?? "-"}\t${c.secondFactorAt ? "2fa" : "-"}\tlast sign-in ${lastSignIn}${mustChange}\n`,
        );
      }
    } else if (ACCOUNT_COMMANDS.has(positionals[0] ?? "")) {
      const parsed = loginArgs.safeParse(values);
      if (!parsed.success) throw usage(parsed.error.issues);
      await accountCommand(prisma, positionals[0] ?? "", parsed.data.login);
    } else {
      throw new AppError("USAGE", USAGE);
    }
  } finally {
    await prisma.$disconnect();
  }
});

const ACCOUNT_COMMANDS = new Set([
  "deactivate",
  "reactivate",
  "reset-password",
  "list-sessions",
  "end-sessions",
]);

/** One account's lifecycle, through the same service (and audit log) as the console's admins. */
async function accountCommand(prisma: PrismaClient, command: string, login: string) {
  const accounts = createAccountService({ prisma });
  const account = await accounts.byLogin(login).catch(() => {
    throw new AppError("USAGE", `No account "${login}"\n\n${USAGE}`);
  });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (command === "deactivate") {
    await accounts.setActive(COMMAND_LINE, account, false);
    out(`Deactivated "${login}": she cannot sign in, and her sessions ended.`);
  } else if (command === "reactivate") {
    await accounts.setActive(COMMAND_LINE, account, true);
    out(`Reactivated "${login}".`);
  } else if (command === "reset-password") {
    const password = await accounts.resetPassword(COMMAND_LINE, account);
    out(`One-time password of "${login}" (shown once): ${password}`);
    out("Her sessions ended; at her next sign-in she must choose her own password.");
  } else if (command === "list-sessions") {
    const sessions = await accounts.sessionsOf(account.id);
    if (sessions.length === 0) out(`"${login}" has no session.`);
    for (const x of sessions) {
      out(`${x.id}\tsigned in ${x.createdAt}\tlast seen ${x.lastSeenAt}\t${x.clientLabel ?? "-"}`);
    }
  } else {
    const ended = await accounts.endAllSessions(COMMAND_LINE, account);
    out(`Ended ${ended} session(s) of "${login}".`);
  }
}

/**
 * Walks the audit chain in batches: the rows checked, where the chain starts (after retention)
 * and its head; the first broken link (the row's id, its place, what differs) and exit 1.
 */
async function verifyAudit(prisma: PrismaClient, head: string | undefined) {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const kept = head === undefined ? undefined : /^(\d+):([0-9a-f]{64})$/i.exec(head);
  if (kept === null) throw new AppError("USAGE", `--head: PLACE:HASH as printed\n\n${USAGE}`);
  const verdict = await verifyAuditChain(prisma, {
    onBatch: (checked) => out(`… ${checked} rows checked`),
    anchor: kept ? { seq: BigInt(kept[1] ?? "0"), hash: kept[2] ?? "" } : undefined,
  });
  const { start } = verdict;
  if (start.removedBefore) {
    out(
      `Retention removed the entries before ${start.removedBefore.toISOString()}: the chain restarts at place ${start.seq}.`,
    );
  }
  if (verdict.broken) {
    const b = verdict.broken;
    out(`${verdict.checked} rows checked before the break.`);
    out(
      `BROKEN at audit row id ${b.id}${b.chainSeq ? ` (chain place ${b.chainSeq})` : ""}: ${b.problem}`,
    );
    process.exitCode = 1;
    return;
  }
  out(`Audit chain intact: ${verdict.checked} rows checked.`);
  // In the form --head takes: keep it outside the database.
  if (verdict.head) out(`Head: ${verdict.head.chainSeq}:${verdict.head.hash}`);
}

/** Her request to erase, from the command line: as a global admin would from the console. */
async function erasePersonCommand(
  prisma: PrismaClient,
  pseudonym: string | undefined,
  confirm: boolean,
) {
  if (!pseudonym)
    throw new AppError("USAGE", `Whose? erase-person PSEUDONYM --confirm\n\n${USAGE}`);
  const rights = createPersonRightsService({ prisma });
  const actor = { id: null, role: "admin", regionId: null, via: "admin-command" } as const;
  const found = await rights.find(actor, pseudonym);
  if (!confirm) {
    process.stdout.write(
      `${found.pseudonym}: ${found.conversations} conversation(s), ${found.entries} entry(ies). Nothing erased: add --confirm to erase her content.\n`,
    );
    throw new AppError("USAGE", "erase-person needs --confirm");
  }
  const erased = await rights.erase(actor, pseudonym, pseudonym);
  process.stdout.write(
    `Erased the content of ${pseudonym}: ${erased.conversations} conversation(s), ${erased.messages} message(s), ${erased.files} file(s), ${erased.deliveries} delivery payload(s), ${erased.rawEvents} raw event(s). Her counts stay, anonymous.\n`,
  );
}

/**
 * Re-seals under APP_SECRET_KEY, printing progress; exits non-zero (through runMain) when a
 * value opened under neither key, naming the rows.
 */
async function rotateKeyCommand(databaseUrl: string) {
  const env = processEnv();
  const key = env.APP_SECRET_KEY ?? "";
  const previous = env.APP_SECRET_KEY_PREVIOUS || undefined;
  if (key.length < 32) {
    throw new AppError("USAGE", `rotate-key needs APP_SECRET_KEY (the new key)\n\n${USAGE}`);
  }
  const started = new Date();
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  const report = (line: string) => process.stdout.write(`${line}\n`);
  try {
    report(
      previous
        ? "Re-sealing under APP_SECRET_KEY what APP_SECRET_KEY_PREVIOUS sealed…"
        : "Sealing under APP_SECRET_KEY what is not sealed under it yet (no APP_SECRET_KEY_PREVIOUS)…",
    );
    const result = await rotateKey({
      pool,
      sealer: createSealer(key, previous),
      sourceIdOf: (json) => sourceIdOf(JSON.parse(json) as IncomingEvent),
      report,
    });
    const codes = await pool.query<{ login_name: string }>(
      `SELECT DISTINCT c.login_name FROM recovery_code r JOIN counsellor c ON c.id = r.counsellor_id
       WHERE r.used_at IS NULL AND r.created_at < $1 ORDER BY 1`,
      [started],
    );
    if (previous && codes.rows.length > 0) {
      report(
        `Recovery codes cannot be re-hashed (only their hash is kept): those made under the old key stop working once APP_SECRET_KEY_PREVIOUS is unset (their authenticator apps keep working). For new codes, reset their second factor (reset-second-factor NAME; they set it up again at their next sign-in): ${codes.rows.map((r) => r.login_name).join(", ")}`,
      );
    }
    if (result.unreadable.length > 0) {
      throw new AppError(
        "ROTATE_UNREADABLE",
        `${result.unreadable.length} value(s) open under neither APP_SECRET_KEY nor APP_SECRET_KEY_PREVIOUS (left as they are; is APP_SECRET_KEY_PREVIOUS the key that sealed them?): ${result.unreadable.slice(0, 10).join(", ")}`,
      );
    }
    const total = Object.values(result.resealed).reduce((a, b) => a + b, 0);
    report(`Done: ${total} value(s) re-sealed. APP_SECRET_KEY_PREVIOUS can now be unset.`);
  } finally {
    await pool.end();
  }
}

/** The command line, or a USAGE error naming what was wrong with it. */
function parsedArgs() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        login: { type: "string" },
        role: { type: "string" },
        region: { type: "string" },
        name: { type: "string" },
        password: { type: "string" },
        email: { type: "string" },
        head: { type: "string" },
        confirm: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError("USAGE", `${message}\n\n${USAGE}`);
  }
}
