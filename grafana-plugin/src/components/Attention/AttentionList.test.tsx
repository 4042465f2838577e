import fs from 'fs';
import path from 'path';
import React from 'react';
import { of, Subject, throwError } from 'rxjs';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import {
  DataFrameJSON,
  FieldType,
  LiveChannelConnectionState,
  LiveChannelEvent,
  LiveChannelEventType,
  LiveChannelScope,
} from '@grafana/data';
import { BackendSrv, BackendSrvRequest, GrafanaLiveSrv, setBackendSrv, setGrafanaLiveSrv } from '@grafana/runtime';
import { testIds } from '../testIds';
import { AttentionList, MAX_ITEMS } from './AttentionList';
import {
  ATTENTION_CHANNEL,
  ATTENTION_RESOURCE,
  AttentionItem,
  attentionUpdates,
  AttentionState,
  stateFromFrame,
} from './attention';

const NODE = '/a/nexclipper-observability-app/nodes/worker-3';
const item = (message: string, severity: AttentionItem['severity'] = 'critical'): AttentionItem => ({
  kind: 'node_not_ready',
  severity,
  subject: message,
  message,
  link: NODE,
});

/** A frame as the backend's RunStream sends it (data.FrameToJSON, IncludeAll). */
function frame(items: AttentionItem[], error?: string): DataFrameJSON {
  const names = ['kind', 'severity', 'subject', 'message', 'link'] as const;
  return {
    schema: {
      name: 'attention',
      fields: names.map((name) => ({ name, type: FieldType.string })),
      meta: error ? { notices: [{ severity: 'error', text: error }] } : { custom: { updated: '2026-01-01T00:00:00Z' } },
    },
    data: { values: names.map((n) => items.map((it) => it[n])) },
  };
}

const message = (f: DataFrameJSON): LiveChannelEvent<DataFrameJSON> => ({
  type: LiveChannelEventType.Message,
  message: f,
});
const status = (state: LiveChannelConnectionState, f?: DataFrameJSON): LiveChannelEvent<DataFrameJSON> => ({
  type: LiveChannelEventType.Status,
  id: 'plugin/nexclipper-observability-app/attention',
  timestamp: 0,
  state,
  message: f,
});

let channel: Subject<LiveChannelEvent<DataFrameJSON>>;
let addresses: unknown[];
const fetch = jest.fn();

function installLive(stream: () => ReturnType<GrafanaLiveSrv['getStream']>) {
  setGrafanaLiveSrv({
    getStream: (addr: unknown) => {
      addresses.push(addr);
      return stream();
    },
  } as unknown as GrafanaLiveSrv);
}

beforeEach(() => {
  channel = new Subject();
  addresses = [];
  fetch
    .mockReset()
    .mockImplementation((req: BackendSrvRequest) =>
      req.url === ATTENTION_RESOURCE ? of({ data: [item('polled')] }) : throwError(() => new Error(req.url))
    );
  setBackendSrv({ fetch } as unknown as BackendSrv);
  installLive(() => channel.asObservable() as never);
});

describe('AttentionList over Grafana Live', () => {
  it('subscribes to plugin/<id>/attention, shows the initial list, then every push', async () => {
    render(<AttentionList />);
    expect(addresses).toEqual([
      { scope: LiveChannelScope.Plugin, stream: 'nexclipper-observability-app', path: 'attention' },
    ]);
    expect(addresses[0]).toEqual(ATTENTION_CHANNEL);
    act(() => channel.next(status(LiveChannelConnectionState.Connected, frame([item('Node worker-3 is not Ready')]))));
    const li = await screen.findByTestId(testIds.attention.item);
    expect(within(li).getByRole('link', { name: 'Node worker-3 is not Ready' })).toHaveAttribute('href', NODE);
    expect(within(li).getByLabelText('critical')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.attention.status)).toHaveTextContent('Live');

    act(() => channel.next(message(frame([item('a', 'critical'), item('b', 'warning')]))));
    await waitFor(() => expect(screen.getAllByTestId(testIds.attention.item)).toHaveLength(2));
    expect(screen.getByLabelText('warning')).toBeInTheDocument();

    act(() => channel.next(message(frame([]))));
    expect(await screen.findByText('Nothing needs attention now.')).toBeInTheDocument();
    expect(fetch).not.toHaveBeenCalled();
  });

  it('shows the error a pushed frame carries (the backend could not compute the list)', async () => {
    render(<AttentionList />);
    act(() => channel.next(message(frame([], 'query overview.pod_problems at http://r:9911: boom'))));
    expect(await screen.findByText('query overview.pod_problems at http://r:9911: boom')).toBeInTheDocument();
  });

  it(`lists at most ${MAX_ITEMS} items and says how many more there are`, async () => {
    render(<AttentionList />);
    act(() => channel.next(message(frame(Array.from({ length: MAX_ITEMS + 3 }, (_, i) => item(`item ${i}`))))));
    expect(await screen.findByText('and 3 more in the tables below')).toBeInTheDocument();
    expect(screen.getAllByTestId(testIds.attention.item)).toHaveLength(MAX_ITEMS);
  });
});

describe('AttentionList without Grafana Live', () => {
  it('polls the backend resource when Live is not available', async () => {
    setGrafanaLiveSrv(undefined as never);
    render(<AttentionList />);
    expect(await screen.findByRole('link', { name: 'polled' })).toBeInTheDocument();
    expect(fetch).toHaveBeenCalledWith(expect.objectContaining({ url: ATTENTION_RESOURCE, method: 'GET' }));
    expect(screen.getByTestId(testIds.attention.status)).toHaveTextContent('Refreshed every 30 s');
  });

  it('falls back to polling when the channel fails', async () => {
    installLive(() => throwError(() => new Error('websocket closed')));
    render(<AttentionList />);
    expect(await screen.findByRole('link', { name: 'polled' })).toBeInTheDocument();
  });

  it('falls back to polling when the channel is invalid (backend stream not found)', async () => {
    render(<AttentionList />);
    act(() => channel.next(status(LiveChannelConnectionState.Invalid)));
    expect(await screen.findByRole('link', { name: 'polled' })).toBeInTheDocument();
  });

  it('falls back to polling when no frame arrives in time', async () => {
    const states: AttentionState[] = [];
    const sub = attentionUpdates({ firstFrameMs: 20, pollMs: 60_000 }).subscribe((s) => states.push(s));
    await waitFor(() => expect(states).toEqual([{ items: [item('polled')], live: false }]));
    sub.unsubscribe();
  });

  it('shows why the resource failed', async () => {
    setGrafanaLiveSrv(undefined as never);
    fetch.mockImplementation(() =>
      throwError(() => ({
        status: 503,
        data: { error: 'no receiver URL configured: set it on the configuration page' },
      }))
    );
    render(<AttentionList />);
    expect(await screen.findByText('no receiver URL configured: set it on the configuration page')).toBeInTheDocument();
  });
});

describe('frames of the Go backend', () => {
  // Written by the backend's TestFrameGolden (grafana-plugin/pkg/plugin): the exact JSON RunStream pushes.
  const golden = (name: string): DataFrameJSON =>
    JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'pkg', 'plugin', 'testdata', name), 'utf8'));

  it('decodes a list', () => {
    expect(stateFromFrame(golden('attention-frame.json'))).toEqual({
      live: true,
      items: [
        {
          kind: 'node_not_ready',
          severity: 'critical',
          subject: 'worker-3',
          message: 'Node worker-3 is not Ready',
          link: '/a/nexclipper-observability-app/nodes/worker-3',
        },
        {
          kind: 'container_throttled',
          severity: 'warning',
          subject: 'shop/api-1/server',
          message: 'Container server of pod shop/api-1: throttled in 31% of its CPU periods over 5 minutes',
          link: '/a/nexclipper-observability-app/containers/shop/api-1/server',
        },
      ],
    });
  });

  it('decodes an error', () => {
    expect(stateFromFrame(golden('attention-frame-error.json'))).toEqual({
      live: true,
      error: 'query overview.pod_problems at http://receiver:9911: execution: boom',
    });
  });
});
