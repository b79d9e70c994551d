export function instanceId(node: string, ticker: string | undefined): string {
  return ticker === undefined ? node : `${node}[${ticker}]`;
}

/** The instance id of a run outcome (per-ticker instances carry a ticker, fan-out ones an item). */
export function outcomeId(o: { node: string; ticker: string | null; item?: string }): string {
  return instanceId(o.node, o.ticker ?? o.item);
}
