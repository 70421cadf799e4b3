import { useState } from 'react';
import { useJobs, useQuery } from './api/hooks';
import { call } from './api/transport';
import { StatusBar } from './components/StatusBar';
import { ToastProvider, useNotify } from './components/Toasts';
import { BrowseView } from './features/browse/BrowseView';
import { StartScreen } from './features/start/StartScreen';

function Studio() {
  const notify = useNotify();
  const info = useQuery('app.info', {}, ['onProjectChanged']);
  const [selected, setSelected] = useState(0);
  const jobs = useJobs((d) => notify(`${d.title}: ${d.state === 'done' ? d.message : `${d.state}: ${d.message}`}`, { kind: d.state === 'failed' ? 'error' : 'info' }));
  if (info.error) return <div className="fatal">{info.error}</div>;
  if (!info.data) return <div className="loading">Loading…</div>;
  const project = info.data.project;
  return (
    <div className="app">
      <header className="topbar">
        <b>Shiwake</b>
        <span className="dataset" title={project?.datasetRoot}>{project?.name ?? ''}</span>
        {project && (
          <nav>
            <button className="tab active">Browse</button>
          </nav>
        )}
        {project && <button className="link push-right" onClick={() => void call('project.close', {})} data-testid="close-project">Other projects…</button>}
      </header>
      {project ? <BrowseView key={project.dir} onSelectionCount={setSelected} /> : <StartScreen />}
      <StatusBar backend={info.data.backend} jobs={jobs} selected={selected} onCancel={(id) => void call('jobs.cancel', { id })} />
    </div>
  );
}

export function App() {
  return (
    <ToastProvider>
      <Studio />
    </ToastProvider>
  );
}
