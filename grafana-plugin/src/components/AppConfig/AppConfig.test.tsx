import React from 'react';
import { of } from 'rxjs';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { PluginType } from '@grafana/data';
import { BackendSrv, locationService, setBackendSrv } from '@grafana/runtime';
import AppConfig, { AppConfigProps } from './AppConfig';
import { testIds } from '../testIds';

// The real picker lists data sources from Grafana; this one records its props and picks one.
const pickerProps: Array<Record<string, unknown>> = [];
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  DataSourcePicker: (props: { onChange: (ds: { uid: string; type: string }) => void }) => {
    pickerProps.push(props);
    return <button onClick={() => props.onChange({ uid: 'receiver', type: 'prometheus' })}>pick receiver</button>;
  },
}));

function props(jsonData: Record<string, unknown>): AppConfigProps {
  return {
    plugin: {
      meta: {
        id: 'nexclipper-observability-app',
        name: 'NexClipper',
        type: PluginType.app,
        enabled: true,
        pinned: true,
        jsonData,
        info: {} as never,
        module: '',
        baseUrl: '',
      },
    },
    query: {},
  } as unknown as AppConfigProps;
}

describe('AppConfig', () => {
  const fetch = jest.fn();

  beforeEach(() => {
    pickerProps.length = 0;
    fetch.mockReset().mockReturnValue(of({ data: {} }));
    setBackendSrv({ fetch } as unknown as BackendSrv);
    jest.spyOn(locationService, 'reload').mockImplementation(() => {});
  });

  afterEach(() => jest.restoreAllMocks());

  it('offers only Prometheus data sources, preselecting the saved one', () => {
    render(<AppConfig {...props({ datasourceUid: 'old' })} />);
    expect(screen.getByTestId(testIds.appConfig.container)).toBeInTheDocument();
    expect(pickerProps[0]).toMatchObject({ pluginId: 'prometheus', current: 'old' });
  });

  it('cannot save before a data source is chosen', () => {
    render(<AppConfig {...props({})} />);
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeDisabled();
  });

  it('saves the chosen data source uid into jsonData.datasourceUid and reloads', async () => {
    render(<AppConfig {...props({ other: 1 })} />);
    fireEvent.click(screen.getByText('pick receiver'));
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    await waitFor(() => expect(locationService.reload).toHaveBeenCalled());
    expect(fetch).toHaveBeenCalledWith({
      url: '/api/plugins/nexclipper-observability-app/settings',
      method: 'POST',
      data: { enabled: true, pinned: true, jsonData: { other: 1, datasourceUid: 'receiver' } },
    });
  });

  it('says so when saving fails', async () => {
    fetch.mockImplementation(() => {
      throw new Error('403 forbidden');
    });
    render(<AppConfig {...props({ datasourceUid: 'old' })} />);
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    expect(await screen.findByText('403 forbidden')).toBeInTheDocument();
    expect(locationService.reload).not.toHaveBeenCalled();
  });
});
