import { useApp } from 'ink';
import { useCallback, useMemo, useState } from 'react';
import type { Report } from '../model/report.js';
import ClusterPicker from './ClusterPicker.js';
import CollectView from './CollectView.js';
import { fieldValue, planDiagnosis, type FormContext, type FormState } from './form-model.js';
import type { KubeDefaults } from './kubeconfig.js';
import type { AppServices } from './services.js';
import ReportScreens from './ReportScreens.js';
import StartForm from './StartForm.js';
import { KeySlotProvider, useKeyRouter } from './keys.js';
import { StatusContext, type Status } from './status.js';
import { useCollection } from './use-collection.js';
import { useIncident } from './use-incident.js';
import { useLatestState } from './use-latest-state.js';
import { useScreenSize, type ScreenSize } from './use-screen-size.js';

export type AppStart =
  /** --demo, or any report already made: open on the verdict. */
  | { kind: 'report'; report: Report; title: string }
  /** The start form, pre-filled from the kubeconfig context and the environment. */
  | { kind: 'form'; kube: KubeDefaults };

type Props = {
  readonly start: AppStart;
  readonly services: AppServices;
  readonly env: NodeJS.ProcessEnv;
  /** Called once, just before the app unmounts: 0 on a normal quit, 130 after Ctrl-C. */
  readonly onExit: (code: number) => void;
  /** Fixed size for tests; the terminal's (following resizes) otherwise. */
  readonly size?: ScreenSize;
};

type Screen = 'form' | 'clusters' | 'collect' | 'report';

export const EXIT_INTERRUPTED = 130;

/** The interactive app: start form → collection → verdict → finding detail, with timeline and help on top. */
export default function App({ start, services, env, onExit, size }: Props) {
  const app = useApp();
  const { columns, rows } = useScreenSize(size);
  // One row short of the terminal: Ink redraws a frame in place only while it is shorter than the screen.
  const width = columns;
  const height = Math.max(6, rows - 1);

  const [screen, setScreen] = useState<Screen>(start.kind === 'report' ? 'report' : 'form');
  const [message, setMessage] = useState<string | undefined>();
  const [form, setForm, latestForm] = useLatestState<FormState>({ typed: {}, focus: 0 });
  const [report, setReport] = useState<Report | undefined>(
    start.kind === 'report' ? start.report : undefined,
  );
  const [title, setTitle] = useState(start.kind === 'report' ? start.title : 'eksdoctor');
  const incident = useIncident(form.typed.error ?? '', services.parse);
  const collection = useCollection(services);
  const cancelRunning = collection.cancel;

  const status: Status = useMemo(
    () => ({ message, say: setMessage, clear: () => setMessage(undefined) }),
    [message],
  );
  const kube = start.kind === 'form' ? start.kube : {};
  const ctx: FormContext = { incident, kube, env };

  const quit = useCallback(
    (code: number) => {
      cancelRunning();
      onExit(code);
      app.exit();
    },
    [app, onExit, cancelRunning],
  );
  const keySlot = useKeyRouter(() => quit(EXIT_INTERRUPTED));

  const showReport = (next: Report, nextTitle: string) => {
    setReport(next);
    setTitle(nextTitle);
    setScreen('report');
  };

  const diagnose = async () => {
    const plan = planDiagnosis(latestForm.current.typed, ctx);
    if ('problem' in plan) return setMessage(plan.problem);
    if (plan.collect) setScreen('collect');
    try {
      const result = await collection.run(plan);
      if (result) showReport(result, `eksdoctor · ${plan.target}`);
    } catch (error) {
      setMessage(`Could not diagnose: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const cancelCollection = () => {
    collection.cancel();
    setScreen('form');
  };
  const common = { width, height };
  let view;
  if (screen === 'form') {
    view = (
      <StartForm
        {...common}
        form={form}
        ctx={ctx}
        onEdit={setForm}
        onSubmit={() => void diagnose()}
        onListClusters={() => setScreen('clusters')}
        onQuit={() => quit(0)}
      />
    );
  } else if (screen === 'clusters') {
    view = (
      <ClusterPicker
        {...common}
        region={fieldValue('region', form.typed, ctx).value}
        profile={fieldValue('profile', form.typed, ctx).value}
        list={services.listClusters}
        onPick={(cluster, region) => {
          setForm((f) => ({ ...f, typed: { ...f.typed, cluster, region } }));
          setScreen('form');
        }}
        onCancel={() => setScreen('form')}
      />
    );
  } else if (screen === 'collect') {
    view = (
      <CollectView
        {...common}
        target={collection.target}
        sources={collection.sources}
        failure={collection.failure}
        onCancel={cancelCollection}
      />
    );
  } else if (report) {
    view = (
      <ReportScreens
        {...common}
        title={title}
        report={report}
        services={services}
        onQuit={() => quit(0)}
        onBack={() => (start.kind === 'form' ? setScreen('form') : quit(0))}
      />
    );
  }
  return (
    <KeySlotProvider value={keySlot}>
      <StatusContext.Provider value={status}>{view}</StatusContext.Provider>
    </KeySlotProvider>
  );
}
