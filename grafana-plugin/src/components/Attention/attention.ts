/**
 * The Overview's "needs attention" list, computed by the app's backend (grafana-plugin/pkg/plugin):
 * pushed over Grafana Live on channel plugin/<id>/attention every 5 s, or, when Live is not
 * available (disabled, blocked websocket, no first frame in time), fetched from the backend's
 * resource GET /api/plugins/<id>/resources/attention every 30 s.
 */
import { EMPTY, from, lastValueFrom, Observable, of, throwError, timer } from 'rxjs';
import { catchError, map, mergeMap, switchMap, timeout } from 'rxjs/operators';
import {
  DataFrameJSON,
  dataFrameFromJSON,
  isLiveChannelMessageEvent,
  isLiveChannelStatusEvent,
  LiveChannelAddress,
  LiveChannelConnectionState,
  LiveChannelScope,
} from '@grafana/data';
import { getBackendSrv, getGrafanaLiveSrv } from '@grafana/runtime';
import { PLUGIN_ID } from '../../constants';

/** One thing that needs attention, as the backend words it. */
export interface AttentionItem {
  kind: string;
  severity: 'critical' | 'warning';
  subject: string;
  message: string;
  /** The app page that explains it, relative to Grafana's root. */
  link: string;
}

/** What the list shows: the items (undefined until the first answer) or why they are missing. */
export interface AttentionState {
  items?: AttentionItem[];
  error?: string;
  /** True when the items came over Grafana Live. */
  live: boolean;
}

export const ATTENTION_CHANNEL: LiveChannelAddress = {
  scope: LiveChannelScope.Plugin,
  stream: PLUGIN_ID,
  path: 'attention',
};

export const ATTENTION_RESOURCE = `/api/plugins/${PLUGIN_ID}/resources/attention`;

/** How often the fallback polls the resource. */
export const POLL_MS = 30_000;

/** How long to wait for the first frame over Live before falling back to polling. */
export const FIRST_FRAME_MS = 15_000;

const FIELDS = ['kind', 'severity', 'subject', 'message', 'link'] as const;

/** Decodes one frame the backend pushed: rows of items, or the error notice it carries. */
export function stateFromFrame(json: DataFrameJSON): AttentionState {
  const frame = dataFrameFromJSON(json);
  const notice = frame.meta?.notices?.find((n) => n.severity === 'error');
  if (notice) {
    return { error: notice.text, live: true };
  }
  const cols = FIELDS.map((name) => frame.fields.find((f) => f.name === name)?.values ?? []);
  const items = Array.from({ length: frame.length }, (_, i) => {
    const [kind, severity, subject, message, link] = cols.map((c) => String(c[i] ?? ''));
    return { kind, severity: severity as AttentionItem['severity'], subject, message, link };
  });
  return { items, live: true };
}

/** GET the list from the backend's resource. */
export async function fetchAttention(): Promise<AttentionItem[]> {
  const resp = getBackendSrv().fetch<AttentionItem[]>({
    url: ATTENTION_RESOURCE,
    method: 'GET',
    showErrorAlert: false,
  });
  return (await lastValueFrom(resp)).data;
}

function errorText(e: unknown): string {
  const data = (e as { data?: { error?: string; message?: string } })?.data;
  if (data?.error || data?.message) {
    return (data.error ?? data.message)!;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Polls the resource now and every pollMs. */
export function pollAttention(pollMs = POLL_MS): Observable<AttentionState> {
  return timer(0, pollMs).pipe(
    switchMap(() =>
      from(fetchAttention()).pipe(
        map((items): AttentionState => ({ items, live: false })),
        catchError((e) => of<AttentionState>({ error: errorText(e), live: false }))
      )
    )
  );
}

/**
 * The list as it changes: over Grafana Live when it works, else by polling. A Live channel that
 * errors, turns invalid or shut down, or sends nothing for FIRST_FRAME_MS hands over to polling.
 */
export function attentionUpdates(opts: { pollMs?: number; firstFrameMs?: number } = {}): Observable<AttentionState> {
  const polling = pollAttention(opts.pollMs);
  const live = getGrafanaLiveSrv();
  if (!live) {
    return polling;
  }
  return live.getStream<DataFrameJSON>(ATTENTION_CHANNEL).pipe(
    mergeMap((evt): Observable<AttentionState> => {
      if (isLiveChannelMessageEvent(evt)) {
        return of(stateFromFrame(evt.message));
      }
      if (isLiveChannelStatusEvent(evt)) {
        if (evt.state === LiveChannelConnectionState.Invalid || evt.state === LiveChannelConnectionState.Shutdown) {
          return throwError(() => new Error(`live channel ${evt.state}`));
        }
        if (evt.message) {
          return of(stateFromFrame(evt.message)); // the backend's InitialData
        }
      }
      return EMPTY;
    }),
    timeout({ first: opts.firstFrameMs ?? FIRST_FRAME_MS }),
    catchError(() => polling)
  );
}
