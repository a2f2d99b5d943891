import { z } from "zod";
import { Prisma, type PrismaClient } from "../db/prisma-client";
import { TASK_KIND_LABELS, TASK_OUTCOME_LABELS } from "../tasks/task-types";
import { tokyoDate, type Period } from "./stats-period";

/**
 * The report's 訪問 and 同行 (COUNTING.md, "訪問 and 同行"): the tasks of these kinds whose
 * appointment day falls in the period, planned, done, and not done by outcome. Read from the
 * task list (src/tasks/); a 訪問 or 同行 done is also an entry of its own, counted in 延べ数.
 */
const KINDS = ["visit", "accompany"] as const;

const n = z.number();
export const outreachReportSchema = z.object({
  rows: z.array(
    z.object({
      kind: z.enum(KINDS),
      label: z.string(),
      /** Every task of the kind with its appointment day in the period. */
      planned: n,
      done: n,
      notReached: n,
      declined: n,
      notNeeded: n,
      /** Not closed yet. */
      open: n,
    }),
  ),
});
export type OutreachReport = z.infer<typeof outreachReportSchema>;

const countsSchema = z.object({
  kind: z.enum(KINDS),
  planned: z.coerce.number(),
  done: z.coerce.number(),
  notReached: z.coerce.number(),
  declined: z.coerce.number(),
  notNeeded: z.coerce.number(),
  open: z.coerce.number(),
});

/** The period's 訪問 and 同行 of a region (or all); a row for each kind, 0 when none. */
export async function outreachReport(
  prisma: PrismaClient,
  period: Period,
  region: string | undefined,
): Promise<OutreachReport> {
  const rows = await prisma.$queryRaw<unknown[]>(Prisma.sql`
    SELECT kind,
           count(*) AS planned,
           count(*) FILTER (WHERE outcome = 'done') AS "done",
           count(*) FILTER (WHERE outcome = 'not-reached') AS "notReached",
           count(*) FILTER (WHERE outcome = 'declined') AS "declined",
           count(*) FILTER (WHERE outcome = 'not-needed') AS "notNeeded",
           count(*) FILTER (WHERE closed_at IS NULL) AS "open"
      FROM follow_up_task
     WHERE kind IN ('visit', 'accompany')
       AND due_on >= ${tokyoDate(period.from)}::date
       AND due_on < ${tokyoDate(period.to)}::date
       ${region === undefined ? Prisma.empty : Prisma.sql`AND region_id = ${region}`}
     GROUP BY kind`);
  const counts = rows.map((r) => countsSchema.parse(r));
  return {
    rows: KINDS.map((kind) => {
      const c = counts.find((x) => x.kind === kind);
      return {
        kind,
        label: TASK_KIND_LABELS[kind],
        planned: c?.planned ?? 0,
        done: c?.done ?? 0,
        notReached: c?.notReached ?? 0,
        declined: c?.declined ?? 0,
        notNeeded: c?.notNeeded ?? 0,
        open: c?.open ?? 0,
      };
    }),
  };
}

type Cell = string | number | null;

/** The report's table 訪問・同行 (report.xlsx, report.csv and the statistics page). */
export function outreachTable(o: OutreachReport) {
  const values = (r: OutreachReport["rows"][number]) => [
    r.planned,
    r.done,
    r.notReached,
    r.declined,
    r.notNeeded,
    r.open,
  ];
  const rows = o.rows.map((r): Cell[] => [r.label, ...values(r)]);
  const total = o.rows
    .map(values)
    .reduce((a, b) => a.map((v, i) => v + (b[i] ?? 0)), [0, 0, 0, 0, 0, 0]);
  return {
    sheet: "訪問・同行",
    title: "訪問・同行（予定日が期間内のもの、件数）",
    header: [
      "種類",
      "予定",
      TASK_OUTCOME_LABELS.done,
      TASK_OUTCOME_LABELS["not-reached"],
      TASK_OUTCOME_LABELS.declined,
      TASK_OUTCOME_LABELS["not-needed"],
      "未完了",
    ],
    rows,
    total: ["合計", ...total] as Cell[],
    note: "タスク一覧の訪問・同行のうち予定日が期間内のもの（地域でのみ絞り込み。経路・相談内容・年代の絞り込みは適用されません）。実施した訪問・同行はそれぞれ相談（経路 訪問・同行）として延べ数・実数にも数えます。",
  };
}
