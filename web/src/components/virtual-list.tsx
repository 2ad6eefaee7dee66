// A virtualized vertical list on @tanstack/virtual-core: only the rows in view (plus a few) are in the DOM, each
// measured as it renders, so 100,000 rows of any height scroll like 50. With `followEnd` (live tail) the list
// sticks to its end while the reader is there, and otherwise keeps the row in view still as rows come and go.

import type { ComponentChildren, Ref } from 'preact';
import { useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';
import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from '@tanstack/virtual-core';

export interface VirtualListProps {
  count: number;
  getKey: (index: number) => string;
  estimateSize: number;
  renderRow: (index: number) => ComponentChildren;
  /** live tail: follow appended rows while at the end, else hold the reader's place */
  followEnd?: boolean;
  class?: string;
  label: string;
  /** receives the virtualizer, for scrolling from outside (scrollToIndex) */
  controller?: Ref<Virtualizer<HTMLDivElement, Element> | null>;
  /** brings this row to the middle of the view whenever it changes */
  scrollToIndex?: number;
  /** rows scrolled into view changed: first and last index shown */
  onRange?: (first: number, last: number) => void;
}

export function VirtualList(props: VirtualListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const size = props.estimateSize;
  const estimate = useRef(() => size);
  const options = {
    count: props.count,
    getScrollElement: () => scrollRef.current,
    estimateSize: estimate.current,
    getItemKey: props.getKey,
    overscan: 8,
    observeElementRect,
    observeElementOffset,
    scrollToFn: elementScroll,
    anchorTo: props.followEnd ? ('end' as const) : ('start' as const),
    followOnAppend: props.followEnd ? true : false,
    onChange: () => rerender(undefined),
  };
  const [virtualizer] = useState(() => new Virtualizer<HTMLDivElement, Element>(options));
  virtualizer.setOptions(options);
  useLayoutEffect(() => virtualizer._didMount(), []);
  useLayoutEffect(() => virtualizer._willUpdate());
  useLayoutEffect(() => {
    if (props.followEnd && props.count > 0 && virtualizer.scrollOffset === 0 && virtualizer.getTotalSize() > (scrollRef.current?.clientHeight ?? 0)) {
      virtualizer.scrollToIndex(props.count - 1, { align: 'end' });
    }
  }, [props.followEnd]);
  useLayoutEffect(() => {
    if (props.scrollToIndex !== undefined && props.scrollToIndex >= 0 && props.scrollToIndex < props.count) virtualizer.scrollToIndex(props.scrollToIndex, { align: 'center' });
  }, [props.scrollToIndex, props.count > 0]);
  if (props.controller) {
    if (typeof props.controller === 'function') props.controller(virtualizer);
    else props.controller.current = virtualizer;
  }
  const items = virtualizer.getVirtualItems();
  const first = items[0];
  const last = items[items.length - 1];
  useLayoutEffect(() => {
    if (first && last) props.onRange?.(first.index, last.index);
  }, [first?.index, last?.index]);
  return (
    <div ref={scrollRef} class={`vlist ${props.class ?? ''}`} role="list" aria-label={props.label} tabIndex={0}>
      <div class="vlist-space" style={{ height: `${virtualizer.getTotalSize()}px` }}>
        <div class="vlist-window" style={{ transform: `translateY(${first?.start ?? 0}px)` }}>
          {items.map((item) => (
            <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} role="listitem" class="vlist-item">
              {props.renderRow(item.index)}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
