"use client";
import Link from "next/link";
import type { ComponentProps, MouseEvent } from "react";
import { confirmLeave } from "./unsaved-changes";

/** A Next Link that asks before leaving unsaved work (see unsaved-changes.ts); new-tab clicks pass through. */
export function GuardedLink(props: ComponentProps<typeof Link>) {
  const { onClick, ...rest } = props;
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (!confirmLeave()) e.preventDefault();
  };
  return <Link {...rest} onClick={click} />;
}
