// The body of a page section fed by one API call (use-resource.ts): loading, the server's error (such as
// "alerting is not running") above whatever was loaded before, or the content.

import type { ComponentChildren } from 'preact';
import type { Resource } from './use-resource.ts';

export function SectionBody<T>({ resource, children }: { resource: Resource<T>; children: (data: T) => ComponentChildren }) {
  if (resource.loading) return <p class="muted">Loading…</p>;
  return (
    <>
      {resource.error && (
        <p class="error-text" role="alert">
          {resource.error}
        </p>
      )}
      {resource.data !== undefined && children(resource.data)}
    </>
  );
}
