"use client";
/** Model helpers loaded on demand, so nothing imports Monaco during server rendering. */
export function setEditorText(path: string, text: string): void {
  void import("./code-editor").then((m) => m.setModelText(path, text));
}

export function dropEditorModel(path: string): void {
  void import("./code-editor").then((m) => m.disposeModel(path));
}
