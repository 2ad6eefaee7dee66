// Labels shown as `name=value` chips (alert labels, silence matchers, incident groups), in name order.

export function LabelChips({ labels, skip = [] }: { labels: Record<string, string> | undefined; skip?: string[] }) {
  const entries = Object.entries(labels ?? {})
    .filter(([k]) => !skip.includes(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (!entries.length) return null;
  return (
    <span class="chips">
      {entries.map(([k, v]) => (
        <span key={k} class="chip">
          {k}=<b>{v}</b>
        </span>
      ))}
    </span>
  );
}
