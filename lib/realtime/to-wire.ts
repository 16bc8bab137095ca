import type { Wire } from "./events";

/**
 * A value as the browser receives it over Socket.IO (dates as ISO strings), with the type to match. Socket.IO
 * serialises with JSON anyway; doing it here keeps the declared payload types of events.ts true.
 */
export function toWire<T>(value: T): Wire<T> {
  return JSON.parse(JSON.stringify(value)) as Wire<T>;
}
