/**
 * The benches' tables: columns separated by " | ", each as wide as its title (or `width`), the
 * first aligned left and the figures right. The header is printed at once and each row as soon
 * as it is measured, so a long bench shows its progress.
 */

export interface Column {
  title: string;
  /** At least this wide, for cells longer than the title. */
  width?: number;
  align?: "left" | "right";
}

/**
 * Prints the header of a table and returns the function that prints one of its rows; `print`
 * takes each line (console.log by default).
 */
export function printTable(
  columns: (string | Column)[],
  print: (line: string) => void = console.log,
): (cells: (string | number)[]) => void {
  const specs = columns.map((c, i): Required<Column> => {
    const column = typeof c === "string" ? { title: c } : c;
    return {
      title: column.title,
      width: Math.max(column.title.length, column.width ?? 0),
      align: column.align ?? (i === 0 ? "left" : "right"),
    };
  });
  const line = (cells: (string | number)[]) =>
    specs
      .map(({ width, align }, i) => {
        const cell = String(cells[i] ?? "");
        return align === "left" ? cell.padEnd(width) : cell.padStart(width);
      })
      .join(" | ")
      .trimEnd();
  print(line(specs.map((s) => s.title)));
  return (cells) => print(line(cells));
}
