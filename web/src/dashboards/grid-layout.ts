// Panel placement on the 24-column grid: after a panel moves or grows, panels it now overlaps are pushed down
// below it (and those they then overlap, in turn), so panels never cover each other. Pure.

import type { DashboardPanel, PanelGrid } from './dashboard-types.ts';

export function overlaps(a: PanelGrid, b: PanelGrid): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** The panels with `fixedId` where it is and every panel overlapping it (directly or in a chain) moved down. */
export function pushDown(panels: DashboardPanel[], fixedId: number): DashboardPanel[] {
  const out = panels.map((p) => ({ ...p, grid: { ...p.grid } }));
  const fixed = out.find((p) => p.id === fixedId);
  if (!fixed) return out;
  const queue = [fixed];
  // each step only moves panels down, below a panel already placed: it ends
  for (let guard = 0; queue.length > 0 && guard < 10_000; guard++) {
    const p = queue.shift()!;
    for (const q of out) {
      if (q === p || q === fixed || !overlaps(p.grid, q.grid)) continue;
      q.grid.y = p.grid.y + p.grid.h;
      queue.push(q);
    }
  }
  return out;
}
