import React, { useMemo } from 'react';
import { AppRootProps } from '@grafana/data';
import { SceneApp } from '@grafana/scenes';
import { DataSourceRef } from '@grafana/schema';
import { Alert, LinkButton } from '@grafana/ui';
import { AppSettings, PLUGIN_ID } from '../../constants';
import { containersPage } from '../../pages/Containers/containersPage';
import { nodesPage } from '../../pages/Nodes/nodesPage';
import { overviewPage } from '../../pages/Overview/overviewPage';
import { workloadsPage } from '../../pages/Workloads/workloadsPage';
import { testIds } from '../testIds';

/** The app's pages, all reading the Prometheus data source `ds`. */
export function buildApp(ds: DataSourceRef): SceneApp {
  return new SceneApp({
    pages: [overviewPage(ds), nodesPage(ds), workloadsPage(ds), containersPage(ds)],
    urlSyncOptions: { updateUrlOnInit: true, createBrowserHistorySteps: true },
  });
}

function App({ meta }: AppRootProps<AppSettings>) {
  const uid = meta.jsonData?.datasourceUid;
  const app = useMemo(() => (uid ? buildApp({ type: 'prometheus', uid }) : undefined), [uid]);
  if (!app) {
    return (
      <Alert title="Choose the Prometheus data source" severity="info" data-testid={testIds.app.noDatasource}>
        <p>
          NexClipper reads its metrics through a Prometheus data source that points at the NexClipper receiver (or any
          Prometheus that scrapes the exporter). Choose it on the configuration page.
        </p>
        <LinkButton href={`/plugins/${PLUGIN_ID}`} icon="cog">
          Configure
        </LinkButton>
      </Alert>
    );
  }
  return <app.Component model={app} />;
}

export default App;
