import React, { useState } from 'react';
import { lastValueFrom } from 'rxjs';
import { css } from '@emotion/css';
import { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { DataSourcePicker, getBackendSrv, locationService } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, Stack, useStyles2 } from '@grafana/ui';
import { AppSettings } from '../../constants';
import { testIds } from '../testIds';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppSettings>> {}

/** An absolute http(s) URL with a host, as the backend requires for jsonData.prometheusUrl. */
export const isReceiverUrl = (url: string) => /^https?:\/\/[^/\s]+/.test(url.trim());

/** What Grafana's /api/plugins/<id>/health answers with (the backend's CheckHealth). */
interface Health {
  status: string;
  message: string;
}

/**
 * Settings page: which Prometheus data source (the NexClipper receiver) the pages query, and the
 * receiver's URL as the app's backend reaches it. The backend calls the receiver directly (for the
 * health check, the server-side "needs attention" list and its live stream): without a service
 * account it cannot go through Grafana's data source proxy. Picking a data source prefills the URL
 * from that data source's settings.
 */
const AppConfig = ({ plugin }: AppConfigProps) => {
  const s = useStyles2(getStyles);
  const { enabled, pinned, jsonData } = plugin.meta;
  const [datasourceUid, setDatasourceUid] = useState<string | undefined>(jsonData?.datasourceUid);
  const [prometheusUrl, setPrometheusUrl] = useState<string>(jsonData?.prometheusUrl ?? '');
  const [error, setError] = useState<string>();
  const [health, setHealth] = useState<Health>();
  const urlInvalid = prometheusUrl !== '' && !isReceiverUrl(prometheusUrl);

  const onPick = async (uid: string) => {
    setDatasourceUid(uid);
    if (prometheusUrl !== '') {
      return; // never overwrite a URL the admin typed
    }
    try {
      const ds = await get<{ url?: string }>(`/api/datasources/uid/${encodeURIComponent(uid)}`);
      if (ds.url && isReceiverUrl(ds.url)) {
        setPrometheusUrl(ds.url);
      }
    } catch {
      // The URL stays empty; the field says what to enter.
    }
  };

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    try {
      await updatePlugin(plugin.meta.id, {
        enabled,
        pinned,
        jsonData: { ...jsonData, datasourceUid, prometheusUrl: prometheusUrl.trim() },
      });
      // Grafana keeps plugin settings in memory; reloading is the supported way to apply them.
      locationService.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };

  const onCheck = async () => {
    setHealth(undefined);
    try {
      setHealth(await get<Health>(`/api/plugins/${plugin.meta.id}/health`));
    } catch (e) {
      // Grafana answers a failed check with an error status and the check's result as the body.
      const body = (e as { data?: Partial<Health> }).data;
      setHealth({ status: body?.status ?? 'ERROR', message: body?.message ?? errorText(e) });
    }
  };

  return (
    <form onSubmit={onSubmit} data-testid={testIds.appConfig.container}>
      <FieldSet label="Data source" className={s.marginTop}>
        <Field
          label="Prometheus data source"
          description="The Prometheus data source that queries the NexClipper receiver (or a Prometheus scraping the exporter). The pages query through it."
        >
          <div data-testid={testIds.appConfig.datasource}>
            <DataSourcePicker
              pluginId="prometheus"
              current={datasourceUid ?? null}
              noDefault
              width={60}
              onChange={(ds) => onPick(ds.uid)}
            />
          </div>
        </Field>
        <Field
          label="Receiver URL"
          description="The same receiver as the app's backend reaches it from the Grafana server, e.g. http://nexclipper-receiver:9911. The backend checks the pipeline's health and computes the Overview's live list from it."
          invalid={urlInvalid}
          error={urlInvalid ? 'An absolute http:// or https:// URL' : undefined}
        >
          <Input
            data-testid={testIds.appConfig.prometheusUrl}
            width={60}
            value={prometheusUrl}
            placeholder="http://nexclipper-receiver:9911"
            onChange={(e) => setPrometheusUrl(e.currentTarget.value)}
          />
        </Field>
        {error && (
          <Alert title="Saving the settings failed" severity="error">
            {error}
          </Alert>
        )}
        <Stack gap={1}>
          <Button type="submit" data-testid={testIds.appConfig.submit} disabled={!datasourceUid || urlInvalid}>
            Save
          </Button>
          <Button type="button" variant="secondary" data-testid={testIds.appConfig.check} onClick={onCheck}>
            Check the pipeline
          </Button>
        </Stack>
        {health && (
          <div className={s.marginTop} data-testid={testIds.appConfig.health}>
            <Alert
              title={health.status === 'OK' ? 'The pipeline works' : 'The pipeline needs attention'}
              severity={health.status === 'OK' ? 'success' : 'error'}
            >
              {health.message}
            </Alert>
          </div>
        )}
      </FieldSet>
    </form>
  );
};

export default AppConfig;

const getStyles = (theme: GrafanaTheme2) => ({
  marginTop: css({ marginTop: theme.spacing(3) }),
});

function errorText(e: unknown): string {
  if (e instanceof Error) {
    return e.message;
  }
  const msg = (e as { data?: { message?: string }; statusText?: string })?.data?.message;
  return msg ?? String(e);
}

async function get<T>(url: string): Promise<T> {
  return (await lastValueFrom(getBackendSrv().fetch<T>({ url, method: 'GET', showErrorAlert: false }))).data;
}

async function updatePlugin(pluginId: string, data: Partial<PluginMeta<AppSettings>>) {
  const response = getBackendSrv().fetch({ url: `/api/plugins/${pluginId}/settings`, method: 'POST', data });
  return (await lastValueFrom(response)).data;
}
