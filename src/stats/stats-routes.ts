import type { Response } from "express";
import { route, type ApiRoute } from "../http/api-router";
import type { PrismaClient } from "../db/prisma-client";
import type { Preset } from "../flows/flow-types";
import {
  entriesQuerySchema,
  entryInputSchema,
  entryLinkSchema,
  entryListSchema,
  entryUnlinkSchema,
  entrySchema,
  entryViewSchema,
  type EntriesQuery,
  optionsSchema,
  reportViewSchema,
  statsQuerySchema,
  type StatsQuery,
} from "./stats-schemas";
import { listPartners } from "../partners/partner-directory";
import { createEntryService } from "./entry-service";
import { createStatsService, kpiTargets } from "./stats-service";
import {
  AGE_LABELS,
  CHANNEL_LABELS,
  ENTRY_CHANNELS,
  FOLLOW_UP_LABELS,
  RISK_LABELS,
  TOPIC_LABELS,
} from "./stats-types";

const READERS: ApiRoute["roles"] = ["supervisor", "admin"];

const labelled = (labels: Record<string, string>, keys: readonly string[] = Object.keys(labels)) =>
  keys.map((value) => ({ value, label: labels[value] ?? value }));

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

function sendFile(res: Response, name: string, content: string | Buffer): undefined {
  res
    .type(name.endsWith(".xlsx") ? XLSX : "text/csv; charset=utf-8")
    .set("content-disposition", `attachment; filename="${name}"`)
    .set("cache-control", "private, no-store")
    .send(content);
  return undefined;
}

const fileTag = (q: StatsQuery) =>
  q.fiscalYear !== undefined ? `fy${q.fiscalYear}` : (q.month ?? `${q.from}_${q.to}`);

/**
 * Statistics for staff and supervisors (counsellors: 403) and the entry of consultations by
 * other channels (everyone, own region). Thin: the service counts, these shape the HTTP.
 */
export function statsRoutes(deps: { prisma: PrismaClient; preset: Preset }): ApiRoute[] {
  const stats = createStatsService(deps);
  const entries = createEntryService(deps);
  const { preset } = deps;
  return [
    route({
      method: "get",
      path: "/stats/options",
      summary: "Choices for the statistics filters and the consultation entry form",
      response: optionsSchema,
      handler: async ({ user }) =>
        Promise.resolve({
          regions: preset.regions.map((r) => ({ value: r.id, label: r.name })),
          channels: labelled(CHANNEL_LABELS),
          entryChannels: labelled(CHANNEL_LABELS, ENTRY_CHANNELS),
          topics: labelled(TOPIC_LABELS),
          ageBands: labelled(AGE_LABELS),
          followUps: labelled(FOLLOW_UP_LABELS),
          riskLevels: labelled(RISK_LABELS),
          // The directory's partners serving her or his region (the entry form's referrals).
          agencies: (await listPartners(deps.prisma, { region: user.regionId })).map((p) => p.name),
          kpi: preset.kpi ?? null,
          kpiByYear: kpiTargets(preset),
          currentFiscalYear: stats.currentFiscalYear(),
          scopeRegion: user.regionId,
        }),
    }),
    route({
      method: "get",
      path: "/stats/report",
      summary: "The report of a period (fiscal year, month or range), filtered",
      roles: READERS,
      query: statsQuerySchema,
      response: reportViewSchema,
      handler: async ({ user, query }) => {
        const r = await stats.report(user, query as StatsQuery);
        return { ...r, tables: stats.tablesOf(r) };
      },
    }),
    route({
      method: "get",
      path: "/stats/report.csv",
      summary: "The report table as CSV (UTF-8 with BOM, for Excel)",
      roles: READERS,
      query: statsQuerySchema,
      handler: async ({ user, query, res }) => {
        const q = query as StatsQuery;
        return sendFile(
          res,
          `report-${fileTag(q)}.csv`,
          await stats.exportFile(user, "report-csv", q),
        );
      },
    }),
    route({
      method: "get",
      path: "/stats/report.xlsx",
      summary: "The report as an Excel workbook: one sheet per table, A4 fitted to width",
      roles: READERS,
      query: statsQuerySchema,
      handler: async ({ user, query, res }) => {
        const q = query as StatsQuery;
        return sendFile(
          res,
          `report-${fileTag(q)}.xlsx`,
          await stats.exportFile(user, "report-xlsx", q),
        );
      },
    }),
    route({
      method: "get",
      path: "/stats/records.csv",
      summary: "De-identified consultation records as CSV (UTF-8 with BOM)",
      roles: READERS,
      query: statsQuerySchema,
      handler: async ({ user, query, res }) => {
        const q = query as StatsQuery;
        const csv = await stats.exportFile(user, "records-csv", q);
        return sendFile(res, `records-${fileTag(q)}.csv`, csv);
      },
    }),
    route({
      method: "post",
      path: "/stats/entries",
      summary: "Record a consultation by phone, e-mail, visit, outreach or accompaniment",
      body: entryInputSchema,
      response: entrySchema,
      status: 201,
      handler: ({ user, body }) => entries.create(user, body),
    }),
    route({
      method: "get",
      path: "/stats/entries",
      summary: "The consultations entered by hand in a period (own region), newest first",
      query: entriesQuerySchema,
      response: entryListSchema,
      handler: ({ user, query }) => entries.list(user, query as EntriesQuery),
    }),
    route({
      method: "patch",
      path: "/stats/entries/:id",
      summary: "Correct an entry (its author, or a supervisor or admin of the region); audited",
      body: entryInputSchema,
      response: entryViewSchema,
      handler: ({ user, params, body }) => entries.correct(user, params.id ?? "", body),
    }),
    route({
      method: "post",
      path: "/stats/entries/:id/link",
      summary:
        "Link an entry to a woman's file (her LINE pseudonym or a case number), with a reason",
      body: entryLinkSchema,
      response: entryViewSchema,
      handler: ({ user, params, body }) => entries.link(user, params.id ?? "", body),
    }),
    route({
      method: "post",
      path: "/stats/entries/:id/unlink",
      summary: "Undo an entry's link to a woman's file, with a reason",
      body: entryUnlinkSchema,
      response: entryViewSchema,
      handler: ({ user, params, body }) => entries.unlink(user, params.id ?? "", body.reason),
    }),
    route({
      method: "delete",
      path: "/stats/entries/:id",
      summary: "Delete an entry (soft: it stops counting, the row stays for the audit); audited",
      handler: async ({ user, params }) => {
        await entries.remove(user, params.id ?? "");
        return undefined;
      },
    }),
  ];
}
