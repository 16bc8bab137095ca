"use client";
import { DiffEditor } from "@monaco-editor/react";
import type { editor } from "monaco-editor";
import { useEffect, useRef, useState } from "react";
import { monaco } from "../files/monaco-setup";
import type { TextDiffProps } from "./text-diff";

/**
 * Monaco's diff editor, read-only on both sides. Line actions (a click in the glyph margin or on a line number
 * of the modified side) and line markers (lines carrying comments) are on the modified side, whose line
 * numbers are the ones reported.
 */
export default function TextDiffMonaco(props: TextDiffProps) {
  const [ed, setEd] = useState<editor.IStandaloneDiffEditor>();
  const onLineAction = useRef(props.onLineAction);
  onLineAction.current = props.onLineAction;
  const decorations = useRef<editor.IEditorDecorationsCollection | undefined>(undefined);

  useEffect(() => {
    if (!ed) return;
    const modified = ed.getModifiedEditor();
    decorations.current ??= modified.createDecorationsCollection();
    decorations.current.set(
      (props.lineMarkers ?? []).map((line) => ({
        range: new monaco.Range(line, 1, line, 1),
        options: {
          isWholeLine: true,
          glyphMarginClassName: "review-line-marker",
          glyphMarginHoverMessage: { value: "comments on this line" },
        },
      })),
    );
  }, [ed, props.lineMarkers]);

  useEffect(() => {
    if (!ed) return;
    const sub = ed.getModifiedEditor().onMouseDown((e) => {
      const t = e.target.type;
      const { GUTTER_GLYPH_MARGIN, GUTTER_LINE_NUMBERS } = monaco.editor.MouseTargetType;
      if ((t === GUTTER_GLYPH_MARGIN || t === GUTTER_LINE_NUMBERS) && e.target.position && onLineAction.current)
        onLineAction.current(e.target.position.lineNumber);
    });
    return () => sub.dispose();
  }, [ed]);

  return (
    <DiffEditor
      height="100%"
      original={props.original}
      modified={props.modified}
      language={props.language}
      onMount={(d) => setEd(d)}
      options={{
        readOnly: true,
        originalEditable: false,
        renderSideBySide: props.sideBySide,
        // below this width Monaco would switch to inline by itself; the toggle decides
        useInlineViewWhenSpaceIsLimited: false,
        glyphMargin: Boolean(props.onLineAction || props.lineMarkers?.length),
        automaticLayout: true,
        scrollBeyondLastLine: false,
        minimap: { enabled: false },
        renderWhitespace: "boundary",
        unusualLineTerminators: "off",
      }}
    />
  );
}
