import { COMMANDS, keysLabel } from '../../src-main/shared/commands';

/** The `?` overlay: every command with keys, from the one command table. */
export function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <div className="overlay" onClick={onClose}>
      <div className="help" role="dialog" aria-label="Keyboard shortcuts" data-testid="help-overlay">
        <h2>Keyboard</h2>
        <table>
          <tbody>
            {COMMANDS.filter((c) => c.shortcuts.length > 0).map((c) => (
              <tr key={c.id} data-command={c.id}>
                <td><kbd>{keysLabel(c)}</kbd></td>
                <td>{c.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">Click, Shift+click and Ctrl/Cmd+click select; drag items onto a category to move them. Ctrl/Cmd+Shift+P lists every command.</p>
      </div>
    </div>
  );
}
