export type Cell = string | number | null;

/**
 * One table of the report to hand in: a sheet of report.xlsx and a block of report.csv. Every
 * row the preset knows is there, with 0 when nothing was counted (no missing 西毛), and a
 * total row where a total means something (its label says how 実数 totals: people of the
 * period, not a sum of the rows).
 */
export interface ReportTable {
  /** The sheet's name (at most 31 characters, none of []:*?/\). */
  sheet: string;
  title: string;
  header: string[];
  rows: Cell[][];
  total: Cell[] | null;
  note?: string;
}
