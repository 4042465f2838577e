import React from 'react';
import { of, throwError } from 'rxjs';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { PluginType } from '@grafana/data';
import { BackendSrv, BackendSrvRequest, locationService, setBackendSrv } from '@grafana/runtime';
import AppConfig, { AppConfigProps, isReceiverUrl } from './AppConfig';
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

const urlInput = () => screen.getByTestId(testIds.appConfig.prometheusUrl) as HTMLInputElement;

describe('AppConfig', () => {
  const fetch = jest.fn();
  /** What GET answers per URL; POST answers {}. */
  let answers: Record<string, unknown>;

  beforeEach(() => {
    pickerProps.length = 0;
    answers = { '/api/datasources/uid/receiver': { uid: 'receiver', url: 'http://nexclipper-receiver:9911' } };
    fetch.mockReset().mockImplementation((req: BackendSrvRequest) => {
      const body = req.method === 'GET' ? answers[req.url] : {};
      return body instanceof Error ? throwError(() => body) : of({ data: body ?? {} });
    });
    setBackendSrv({ fetch } as unknown as BackendSrv);
    jest.spyOn(locationService, 'reload').mockImplementation(() => {});
  });

  afterEach(() => jest.restoreAllMocks());

  it('offers only Prometheus data sources, preselecting the saved one and the saved URL', () => {
    render(<AppConfig {...props({ datasourceUid: 'old', prometheusUrl: 'http://old:9911' })} />);
    expect(screen.getByTestId(testIds.appConfig.container)).toBeInTheDocument();
    expect(pickerProps[0]).toMatchObject({ pluginId: 'prometheus', current: 'old' });
    expect(urlInput().value).toBe('http://old:9911');
  });

  it('cannot save before a data source is chosen', () => {
    render(<AppConfig {...props({})} />);
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeDisabled();
  });

  it('prefills the receiver URL from the chosen data source and saves both into jsonData', async () => {
    render(<AppConfig {...props({ other: 1 })} />);
    fireEvent.click(screen.getByText('pick receiver'));
    await waitFor(() => expect(urlInput().value).toBe('http://nexclipper-receiver:9911'));
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    await waitFor(() => expect(locationService.reload).toHaveBeenCalled());
    expect(fetch).toHaveBeenCalledWith({
      url: '/api/plugins/nexclipper-observability-app/settings',
      method: 'POST',
      data: {
        enabled: true,
        pinned: true,
        jsonData: { other: 1, datasourceUid: 'receiver', prometheusUrl: 'http://nexclipper-receiver:9911' },
      },
    });
  });

  it('keeps a URL the admin typed when a data source is picked', async () => {
    render(<AppConfig {...props({})} />);
    fireEvent.change(urlInput(), { target: { value: 'http://10.0.0.5:9911' } });
    fireEvent.click(screen.getByText('pick receiver'));
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    await waitFor(() => expect(locationService.reload).toHaveBeenCalled());
    expect(fetch).not.toHaveBeenCalledWith(expect.objectContaining({ url: '/api/datasources/uid/receiver' }));
    expect(fetch).toHaveBeenCalledWith(
      expect.objectContaining({
        data: expect.objectContaining({
          jsonData: { datasourceUid: 'receiver', prometheusUrl: 'http://10.0.0.5:9911' },
        }),
      })
    );
  });

  it('rejects a URL without scheme', () => {
    render(<AppConfig {...props({ datasourceUid: 'old' })} />);
    fireEvent.change(urlInput(), { target: { value: 'nexclipper-receiver:9911' } });
    expect(screen.getByText('An absolute http:// or https:// URL')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeDisabled();
    expect(isReceiverUrl('https://r.example.com/prom')).toBe(true);
    expect(isReceiverUrl('http:///x')).toBe(false);
  });

  it('leaves the URL empty when the data source cannot be read', async () => {
    answers['/api/datasources/uid/receiver'] = new Error('403');
    render(<AppConfig {...props({})} />);
    fireEvent.click(screen.getByText('pick receiver'));
    await waitFor(() => expect(screen.getByTestId(testIds.appConfig.submit)).toBeEnabled());
    expect(urlInput().value).toBe('');
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

  it("shows the backend's health check: the pipeline works", async () => {
    answers['/api/plugins/nexclipper-observability-app/health'] = {
      status: 'OK',
      message:
        'Receiver http://r:9911 is ready (version 0.3.0); newest exporter sample 4s old; 12,345 series in the head block.',
    };
    render(<AppConfig {...props({ datasourceUid: 'old', prometheusUrl: 'http://r:9911' })} />);
    fireEvent.click(screen.getByTestId(testIds.appConfig.check));
    const health = await screen.findByTestId(testIds.appConfig.health);
    expect(health).toHaveTextContent('The pipeline works');
    expect(health).toHaveTextContent('12,345 series');
  });

  it("shows the backend's health check: what to fix", async () => {
    answers['/api/plugins/nexclipper-observability-app/health'] = Object.assign(new Error('503'), {
      data: {
        status: 'ERROR',
        message: 'receiver at http://r:9911 not reachable: connection refused — check jsonData.prometheusUrl',
      },
    });
    render(<AppConfig {...props({ datasourceUid: 'old', prometheusUrl: 'http://r:9911' })} />);
    fireEvent.click(screen.getByTestId(testIds.appConfig.check));
    const health = await screen.findByTestId(testIds.appConfig.health);
    expect(health).toHaveTextContent('The pipeline needs attention');
    expect(health).toHaveTextContent('connection refused — check jsonData.prometheusUrl');
  });
});
