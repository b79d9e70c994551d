export function instanceId(node: string, ticker: string | undefined): string {
  return ticker === undefined ? node : `${node}[${ticker}]`;
}
