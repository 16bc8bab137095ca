"use client";
import { type ReactNode, type RefObject, useEffect, useState } from "react";

/**
 * Windowed list with a fixed row height: only the rows in view (plus a margin) are in the DOM, so a
 * directory of 10,000 entries renders as ~40 elements. Hand-written to avoid a dependency.
 */
export function VirtualList(props: {
  count: number;
  rowHeight: number;
  height: number;
  scrollRef: RefObject<HTMLDivElement | null>;
  renderRow: (index: number) => ReactNode;
  testId?: string;
}) {
  const { count, rowHeight, height, scrollRef } = props;
  const [scrollTop, setScrollTop] = useState(0);
  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const onScroll = () => setScrollTop(el.scrollTop);
    el.addEventListener("scroll", onScroll, { passive: true });
    return () => el.removeEventListener("scroll", onScroll);
  }, [scrollRef]);
  const overscan = 10;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div key={i} style={{ position: "absolute", top: i * rowHeight, left: 0, right: 0, height: rowHeight }}>
        {props.renderRow(i)}
      </div>,
    );
  }
  return (
    <div ref={scrollRef} style={{ height, overflow: "auto", position: "relative" }} data-testid={props.testId}>
      <div style={{ height: count * rowHeight, position: "relative" }}>{rows}</div>
    </div>
  );
}

/** Scrolls the list so row `index` is visible. */
export function scrollRowIntoView(el: HTMLDivElement | null, index: number, rowHeight: number): void {
  if (!el) return;
  const top = index * rowHeight;
  if (top < el.scrollTop) el.scrollTop = top;
  else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
}
