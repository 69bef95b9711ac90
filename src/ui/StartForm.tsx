import { FIELDS, fieldValue, type FieldId, type FormContext, type FormState } from './form-model.js';
import { formLines } from './form-lines.js';
import Frame, { bodyHeight } from './Frame.js';
import { useKeys } from './keys.js';
import { useStatus } from './status.js';
import StyledLines from './StyledLines.js';

type Props = {
  readonly width: number;
  readonly height: number;
  readonly form: FormState;
  readonly ctx: FormContext;
  /** Takes an update of the form (a paste can arrive in several chunks before the screen redraws). */
  readonly onEdit: (update: (form: FormState) => FormState) => void;
  readonly onSubmit: () => void;
  readonly onListClusters: () => void;
  readonly onQuit: () => void;
};

/** Drops control characters other than line breaks (some pastes carry them); they never belong in a field. */
function printable(text: string): string {
  return [...text].filter((ch) => ch === '\n' || ch === '\r' || (ch >= ' ' && ch !== '\x7f')).join('');
}

/** The start screen: the pasted error and where to look, pre-filled from kubeconfig and the environment. */
export default function StartForm({
  width,
  height,
  form,
  ctx,
  onEdit,
  onSubmit,
  onListClusters,
  onQuit,
}: Props) {
  const status = useStatus();
  const idAt = (focus: number): FieldId => (FIELDS[focus] ?? FIELDS[0]!).id;
  const valueOf = (f: FormState, id: FieldId) =>
    id === 'error' ? (f.typed.error ?? '') : fieldValue(id, f.typed, ctx).value;
  const edit = (change: (current: string, id: FieldId) => string) =>
    onEdit((f) => {
      const id = idAt(f.focus);
      return { ...f, typed: { ...f.typed, [id]: change(valueOf(f, id), id) } };
    });
  const move = (delta: number) =>
    onEdit((f) => ({ ...f, focus: (f.focus + delta + FIELDS.length) % FIELDS.length }));

  useKeys(
    (input, key) => {
      if (key.escape) return onQuit();
      if (key.return) return onSubmit();
      if (key.tab) return move(key.shift ? -1 : 1);
      if (key.downArrow) return move(1);
      if (key.upArrow) return move(-1);
      if (key.backspace || key.delete) return edit((current) => [...current].slice(0, -1).join(''));
      if (key.ctrl && input === 'u') return edit(() => '');
      if (key.ctrl && input === 'l') return onListClusters();
      if (key.ctrl || key.meta || !input) return;
      const clean = printable(input);
      // Only the error field keeps line breaks (several pasted lines are read together).
      edit((current, id) => current + (id === 'error' ? clean : clean.replace(/[\r\n]+/g, ' ')));
    },
    { text: true },
  );

  return (
    <Frame
      width={width}
      height={height}
      title="eksdoctor · why does EKS say 401 or 403?"
      hints="tab/↓ next · ↑ back · enter diagnose · ctrl+l list clusters · ctrl+u clear · esc quit"
      message={status.message}
    >
      <StyledLines lines={formLines(form.typed, ctx, form.focus, width).slice(0, bodyHeight(height))} />
    </Frame>
  );
}
