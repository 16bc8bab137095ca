"use client";
import { type ReactNode, useEffect, useRef } from "react";

/**
 * A pane of output lines (a job's log, a command's output) that follows the tail while it is scrolled to the
 * bottom; scrolling up to read stops the following until the user scrolls back down.
 */
export function FollowPane({
  follow,
  lineCount,
  testId,
  children,
}: {
  follow: unknown;
  lineCount: number;
  testId: string;
  children: ReactNode;
}) {
  const box = useRef<HTMLPreElement>(null);
  const atBottom = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when `follow` (the lines) changes, to follow the tail
  useEffect(() => {
    if (box.current && atBottom.current) box.current.scrollTop = box.current.scrollHeight;
  }, [follow]);
  return (
    <pre
      className="log"
      ref={box}
      data-testid={testId}
      data-lines={lineCount}
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 20;
      }}
    >
      {children}
    </pre>
  );
}
