import { useQuery } from '../../api/hooks';
import { call } from '../../api/transport';
import { runCommand } from '../../commands/registry';
import { useNotify } from '../../components/Toasts';

/** No project open: open a dataset folder, a recent project, or the bundled sample (the flows live in OpenFolder). */
export function StartScreen() {
  const notify = useNotify();
  const recent = useQuery('project.recent', {});
  const fail = (e: Error): void => notify(e.message, { kind: 'error' });
  return (
    <div className="start">
      <h1>Shiwake <span className="muted">仕分け</span></h1>
      <p>Sort a folder of product photos into a clean, balanced dataset, then train on it.</p>
      <div className="start-actions">
        <button className="primary" onClick={() => runCommand('openFolder')} data-testid="open-folder">Open a dataset folder…</button>
        <button onClick={() => runCommand('openSample')} data-testid="open-sample">Try the sample dataset (300 Fashion-MNIST images)</button>
      </div>
      {recent.data && recent.data.length > 0 && (
        <>
          <h2>Recent</h2>
          <ul className="recent">
            {recent.data.map((p) => (
              <li key={p.dir} onClick={() => void call('project.open', { dir: p.dir }).catch(fail)} data-testid="recent-project">
                <b>{p.name}</b> <span className="muted">{p.datasetRoot}</span>
                <div className="muted small" data-testid="recent-project-dir">project: {p.dir}</div>
              </li>
            ))}
          </ul>
        </>
      )}
      <p className="muted">Each folder that holds images is a category; nested folders make nested categories. Your files are never changed: Shiwake keeps its labels, thumbnails and runs in a project folder of its own, which you can choose when you open a folder.</p>
    </div>
  );
}
