import { keymap } from './keymap';

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <div className="overlay" onClick={onClose}>
      <div className="help" role="dialog" aria-label="Keyboard shortcuts">
        <h2>Keyboard</h2>
        <table>
          <tbody>
            {keymap.filter((k) => k.keys).map((k) => (
              <tr key={k.command}>
                <td><kbd>{k.keys}</kbd></td>
                <td>{k.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">Click, Shift+click and Ctrl/Cmd+click select; drag items onto a category to move them.</p>
      </div>
    </div>
  );
}
