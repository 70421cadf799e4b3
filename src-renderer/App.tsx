import { useState } from 'react';
import { useJobs, useQuery } from './api/hooks';
import { call, setMediaProject } from './api/transport';
import { StatusBar } from './components/StatusBar';
import { openProblems, ProblemsHost, ProblemsLink } from './features/problems/ProblemsPanel';
import { ToastProvider, useNotify } from './components/Toasts';
import { BalanceView } from './features/balance/BalanceView';
import { BrowseView } from './features/browse/BrowseView';
import { ExportView } from './features/export/ExportView';
import { TrainView } from './features/train/TrainView';
import { StartScreen } from './features/start/StartScreen';
import { OpenFolder } from './features/start/OpenFolder';
import { CommandLayer } from './commands/CommandLayer';
import { setCommandContext } from './commands/registry';
import { ConnectionBanner } from './components/ConnectionBanner';
import { NavigationProvider, type ViewId } from './components/navigation';
import { ClassifyView } from './features/classify/ClassifyView';
import { EvaluateView } from './features/evaluate/EvaluateView';
import { ReviewView } from './features/review/ReviewView';
import { DuplicatesView } from './features/duplicates/DuplicatesView';

type View = ViewId;
const VIEWS: { id: View; label: string }[] = [
  { id: 'browse', label: 'Browse' },
  { id: 'balance', label: 'Balance & split' },
  { id: 'export', label: 'Export' },
  { id: 'train', label: 'Train' },
  { id: 'evaluate', label: 'Evaluate' },
  { id: 'review', label: 'Review' },
  { id: 'duplicates', label: 'Duplicates' },
  { id: 'classify', label: 'Classify' },
];

function Studio() {
  const notify = useNotify();
  const info = useQuery('app.info', {}, ['onProjectChanged']);
  const [selected, setSelected] = useState(0);
  const [view, setView] = useState<View>('browse');
  // the backend is probed in a child process (and cached), so asking at once costs the engine nothing
  const backend = useQuery('train.backend', {});
  const jobs = useJobs((d) =>
    notify(`${d.title}: ${d.state === 'done' ? d.message : `${d.state}: ${d.message}`}`, {
      kind: d.state === 'failed' ? 'error' : 'info',
      action: d.kind === 'import' ? { label: 'Problems…', run: openProblems } : undefined,
    }),
  );
  if (info.error) return <div className="fatal">{info.error}</div>;
  if (!info.data) return <div className="loading">Loading…</div>;
  const project = info.data.project;
  setMediaProject(project?.key ?? null); // before the views render their pictures
  setCommandContext({ project: project !== null, view });
  return (
    <div className="app">
      <ConnectionBanner />
      <CommandLayer />
      <OpenFolder />
      <header className="topbar">
        <b>Shiwake</b>
        <span className="dataset" title={project ? `dataset: ${project.datasetRoot}\nproject folder: ${project.dir}` : undefined} data-testid="project-name">{project?.name ?? ''}</span>
        {project && (
          <nav>
            {VIEWS.map((v) => (
              <button key={v.id} className={`tab ${view === v.id ? 'active' : ''}`} onClick={() => setView(v.id)} data-testid={`tab-${v.id}`}>{v.label}</button>
            ))}
          </nav>
        )}
        {project && <ProblemsLink key={project.dir} />}
        {project && <button className="link push-right" onClick={() => void call('project.close', {})} data-testid="close-project">Other projects…</button>}
      </header>
      {project ? (
        // every view stays mounted, so each keeps its state when you come back to it
        <NavigationProvider onView={setView} key={project.dir}>
          <div className="views" key={project.dir}>
            <div className="view browse-host" hidden={view !== 'browse'}><BrowseView active={view === 'browse'} onSelectionCount={setSelected} /></div>
            <div className="view" hidden={view !== 'balance'}><BalanceView active={view === 'balance'} /></div>
            <div className="view" hidden={view !== 'export'}><ExportView projectDir={project.dir} /></div>
            <div className="view" hidden={view !== 'train'}><TrainView active={view === 'train'} /></div>
            <div className="view" hidden={view !== 'evaluate'}><EvaluateView active={view === 'evaluate'} /></div>
            <div className="view" hidden={view !== 'review'}><ReviewView active={view === 'review'} /></div>
            <div className="view" hidden={view !== 'duplicates'}><DuplicatesView active={view === 'duplicates'} /></div>
            <div className="view" hidden={view !== 'classify'}><ClassifyView active={view === 'classify'} /></div>
          </div>
        </NavigationProvider>
      ) : (
        <StartScreen />
      )}
      <ProblemsHost />
      <StatusBar backend={backend.data?.label ?? (backend.error ? `unknown (${backend.error})` : 'probing…')} jobs={jobs} selected={selected} onCancel={(id) => void call('jobs.cancel', { id })} />
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
