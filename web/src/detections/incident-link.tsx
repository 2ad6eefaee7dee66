// A link that opens an incident on the Detections page (`?incident=<id>`, shareable) without reloading it.

import type { ComponentChildren } from 'preact';

export function IncidentLink({ id, onOpen, children }: { id: string; onOpen: (id: string) => void; children: ComponentChildren }) {
  return (
    <a
      href={`?incident=${encodeURIComponent(id)}`}
      onClick={(e) => {
        e.preventDefault();
        onOpen(id);
      }}
    >
      {children}
    </a>
  );
}
