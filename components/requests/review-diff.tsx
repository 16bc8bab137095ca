"use client";

/** The review's diff views, as change requests and the image history use them (components/review owns them). */
export { TextDiff } from "../review/text-diff";
export { VersionCompare } from "../review/version-compare";
