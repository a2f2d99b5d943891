/** What an operator's Prometheus scrapes from the service's GET /metrics. */
export async function scrapeMetrics(baseUrl: string): Promise<string> {
  return (await fetch(`${baseUrl}/metrics`)).text();
}

/**
 * The sum of the samples whose series starts with `prefix`: a metric's name (all its label
 * sets), or a name with its labels as prom-client writes them (`name{a="x",b="y"}`, one series).
 */
export function metricSum(text: string, prefix: string): number {
  return text
    .split("\n")
    .filter((line) => line.startsWith(prefix))
    .reduce((sum, line) => sum + Number(line.split(" ").at(-1)), 0);
}
