import ExcelJS from "exceljs";
import type { Cell, ReportTable } from "./report-tables";

/** Excel's sheet names: at most 31 characters, none of []:*?/\ (report-tables.ts keeps them so). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text that would start a formula stays text (the data holds typed agency names). */
const safe = (value: Cell): Cell =>
  typeof value === "string" && FORMULA_START.test(value) ? `'${value}` : value;

/**
 * The report to hand in as an Excel workbook: one sheet per table, its title and period on top,
 * Japanese headings, a bold total row, header rows repeated on each printed page, A4 fitted to
 * the page's width (landscape for wide tables).
 */
export async function reportXlsx(
  tables: ReportTable[],
  heading: { period: string; region: string },
): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = "LINE相談 統計";
  for (const t of tables) {
    const wide = t.header.length > 8;
    const sheet = book.addWorksheet(t.sheet, {
      pageSetup: {
        paperSize: 9, // A4
        orientation: wide ? "landscape" : "portrait",
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        printTitlesRow: "4:4",
        margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
      },
      headerFooter: { oddFooter: "&P / &N" },
    });
    sheet.addRow([t.title]).font = { bold: true, size: 13 };
    sheet.addRow([`期間 ${heading.period}\u3000地域 ${heading.region}`]);
    sheet.addRow([]);
    const header = sheet.addRow(t.header);
    header.font = { bold: true };
    header.eachCell((c) => {
      c.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFDDE6F3" } };
      c.alignment = { wrapText: true, vertical: "middle" };
    });
    for (const row of t.rows) sheet.addRow(row.map(safe));
    if (t.total) sheet.addRow(t.total.map(safe)).font = { bold: true };
    if (t.note) {
      sheet.addRow([]);
      sheet.addRow([t.note]).font = { italic: true, size: 9 };
    }
    sheet.views = [{ state: "frozen", ySplit: 4, xSplit: 1 }];
    sheet.columns.forEach((column, i) => {
      column.width = i === 0 ? 26 : wide ? 7 : 14;
    });
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
