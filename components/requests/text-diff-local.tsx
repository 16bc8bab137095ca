"use client";
import { DiffEditor } from "@monaco-editor/react";
import type { editor } from "monaco-editor";
import { useEffect, useRef } from "react";
import { monaco } from "../files/monaco-setup";

export default function TextDiffLocal(props: { original: string; modified: string; language: string; sideBySide: boolean; onLineAction?: (line: number) => void; lineMarkers?: number[] }) {
  const ed = useRef<editor.IStandaloneDiffEditor | null>(null);
  const decos = useRef<editor.IEditorDecorationsCollection | null>(null);
  const onLine = useRef(props.onLineAction);
  onLine.current = props.onLineAction;
  useEffect(() => {
    decos.current?.set((props.lineMarkers ?? []).map((line) => ({ range: new monaco.Range(line, 1, line, 1), options: { isWholeLine: true, glyphMarginClassName: "comment-marker", glyphMarginHoverMessage: { value: "comments on this line" } } })));
  }, [props.lineMarkers]);
  const lines = Math.max(props.original.split("\n").length, props.modified.split("\n").length);
  return (
    <div data-testid="text-diff" style={{ height: Math.min(600, 60 + lines * 19) }}>
      <DiffEditor
        height="100%"
        original={props.original}
        modified={props.modified}
        language={props.language}
        options={{ readOnly: true, originalEditable: false, renderSideBySide: props.sideBySide, automaticLayout: true, glyphMargin: true, scrollBeyondLastLine: false, minimap: { enabled: false } }}
        onMount={(d) => {
          ed.current = d;
          const mod = d.getModifiedEditor();
          decos.current = mod.createDecorationsCollection([]);
          decos.current.set((props.lineMarkers ?? []).map((line) => ({ range: new monaco.Range(line, 1, line, 1), options: { isWholeLine: true, glyphMarginClassName: "comment-marker" } })));
          mod.onMouseDown((e) => {
            const t = e.target.type;
            const line = e.target.position?.lineNumber;
            if (line && (t === monaco.editor.MouseTargetType.GUTTER_LINE_NUMBERS || t === monaco.editor.MouseTargetType.GUTTER_GLYPH_MARGIN)) onLine.current?.(line);
          });
        }}
      />
    </div>
  );
}
