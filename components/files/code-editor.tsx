"use client";
import Editor, { DiffEditor } from "@monaco-editor/react";
import type { editor } from "monaco-editor";
import { useRef } from "react";
import { monaco } from "./monaco-setup";

/**
 * One Monaco editor for all tabs: `path` selects the model (kept per file, with its undo history).
 * Uncontrolled on purpose (defaultValue): feeding `value` back on every change drops keystrokes.
 */
export default function CodeEditor(props: {
  path: string;
  defaultValue: string;
  language: string;
  readOnly: boolean;
  onChange: (value: string) => void;
  onSave: () => void;
  onMount?: (ed: editor.IStandaloneCodeEditor) => void;
}) {
  // Monaco keeps the command registered at mount: call the latest handler through a ref.
  const onSave = useRef(props.onSave);
  onSave.current = props.onSave;
  return (
    <Editor
      height="100%"
      path={modelPath(props.path)}
      defaultValue={props.defaultValue}
      defaultLanguage={props.language}
      onChange={(v) => props.onChange(v ?? "")}
      onMount={(ed) => {
        ed.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => onSave.current());
        props.onMount?.(ed);
      }}
      // unusual line terminators stay as they are: removing them would change bytes the user did not edit
      options={{
        readOnly: props.readOnly,
        minimap: { enabled: false },
        renderWhitespace: "boundary",
        scrollBeyondLastLine: false,
        automaticLayout: true,
        unusualLineTerminators: "off",
      }}
    />
  );
}

/** Theirs (on disk) left, mine right; the right side is editable so the user can merge before saving. */
export function MergeEditor(props: { theirs: string; mine: string; language: string; onMount: (getMine: () => string) => void }) {
  return (
    <DiffEditor
      height="100%"
      original={props.theirs}
      modified={props.mine}
      language={props.language}
      options={{ readOnly: false, originalEditable: false, renderSideBySide: true, automaticLayout: true }}
      onMount={(ed) => props.onMount(() => ed.getModifiedEditor().getValue())}
    />
  );
}

/** Model URI of an image path: each segment encoded, so names with ?, # or % get their own model. */
function modelPath(path: string): string {
  return `file://${path.split("/").map(encodeURIComponent).join("/")}`;
}

function findModel(path: string) {
  const uri = monaco.Uri.parse(modelPath(path)).toString();
  return monaco.editor.getModels().find((m) => m.uri.toString() === uri);
}

/** Replace a model's text (reload) without losing the editor instance; keeps undo possible. */
export function setModelText(path: string, text: string): void {
  const model = findModel(path);
  if (!model) return;
  model.pushEditOperations([], [{ range: model.getFullModelRange(), text }], () => null);
}

export function disposeModel(path: string): void {
  findModel(path)?.dispose();
}
