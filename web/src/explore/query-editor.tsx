// The query bar: a CodeMirror 6 editor with LogQL highlighting (tokens.ts as decorations), autocomplete
// (completion-source.ts) and run keys (Enter, Shift+Enter, Ctrl/Cmd+Enter; Enter accepts a completion when the
// list is open). Its accessible name is "Query". Changes from outside (click-to-filter, history) replace its text.

import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { EditorState, RangeSetBuilder, type Extension } from '@codemirror/state';
import { Decoration, EditorView, ViewPlugin, keymap, placeholder, type DecorationSet, type ViewUpdate } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { autocompletion, closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { tokenize } from '../logql/tokens.ts';
import { logqlCompletion, type CompletionData } from '../logql/completion-source.ts';

const marks = new Map<string, Decoration>();
function mark(type: string): Decoration {
  let m = marks.get(type);
  if (!m) marks.set(type, (m = Decoration.mark({ class: `tok-${type}` })));
  return m;
}

function highlight(view: EditorView): DecorationSet {
  const b = new RangeSetBuilder<Decoration>();
  for (const t of tokenize(view.state.doc.toString())) {
    if (t.type !== 'whitespace' && t.to > t.from) b.add(t.from, t.to, mark(t.type));
  }
  return b.finish();
}

const logqlHighlight = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = highlight(view);
    }
    update(u: ViewUpdate) {
      if (u.docChanged) this.decorations = highlight(u.view);
    }
  },
  { decorations: (v) => v.decorations },
);

interface Props {
  /** the text at creation */
  value: string;
  /** text set from outside (click-to-filter, history, back/forward): applied whenever `rev` changes */
  external: { text: string; rev: number };
  onChange: (q: string) => void;
  onRun: () => void;
  data: CompletionData;
  viewRef?: { current: EditorView | null };
}

export function QueryEditor({ value, external, onChange, onRun, data, viewRef }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef({ onChange, onRun });
  latest.current = { onChange, onRun };

  useEffect(() => {
    const run = () => {
      latest.current.onRun();
      return true;
    };
    const extensions: Extension[] = [
      history(),
      closeBrackets(),
      autocompletion({ override: [logqlCompletion(data)], activateOnTyping: true, icons: false }),
      keymap.of([{ key: 'Enter', run }, { key: 'Shift-Enter', run }, { key: 'Mod-Enter', run }, ...closeBracketsKeymap, ...historyKeymap, ...defaultKeymap]),
      logqlHighlight,
      placeholder('{service="api"} |= "error" | json   — Enter to run, / to focus'),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ 'aria-label': 'Query', spellcheck: 'false', autocapitalize: 'off', autocorrect: 'off' }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) latest.current.onChange(u.state.doc.toString());
      }),
    ];
    const v = new EditorView({ state: EditorState.create({ doc: value, extensions }), parent: host.current! });
    view.current = v;
    if (viewRef) viewRef.current = v;
    return () => v.destroy();
  }, []);

  // only changes made outside the editor replace its text: echoing its own (possibly stale) changes back
  // while the user types would fight the keystrokes. A layout effect, applied as the render commits: a plain effect
  // waits for the next frame, and when a newer text arrives first (two builder changes in a row) the older effect
  // still runs then, sending the page's query back to the older text before the newer one.
  useLayoutEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== external.text) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: external.text }, selection: { anchor: external.text.length } });
  }, [external.rev]);

  return <div class="query-editor" ref={host} />;
}
