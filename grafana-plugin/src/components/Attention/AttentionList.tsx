import React, { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, locationUtil } from '@grafana/data';
import { Alert, Icon, Stack, Text, useStyles2 } from '@grafana/ui';
import { testIds } from '../testIds';
import { attentionUpdates, AttentionState } from './attention';

/** At most this many items are listed; the tables below hold the rest. */
export const MAX_ITEMS = 12;

/**
 * "Needs attention now": the backend's list, most severe first, each item linking to the page that
 * explains it. Live when Grafana Live works, otherwise refreshed every 30 seconds.
 */
export function AttentionList() {
  const s = useStyles2(getStyles);
  const [state, setState] = useState<AttentionState>({ live: false });
  useEffect(() => {
    const sub = attentionUpdates().subscribe(setState);
    return () => sub.unsubscribe();
  }, []);

  const { items, error, live } = state;
  return (
    <section className={s.box} data-testid={testIds.attention.container} aria-label="Needs attention now">
      <Stack justifyContent="space-between" alignItems="center">
        <Text element="h2" variant="h5">
          Needs attention now
        </Text>
        <span data-testid={testIds.attention.status}>
          <Text color="secondary" variant="bodySmall">
            {live ? 'Live' : 'Refreshed every 30 s'}
          </Text>
        </span>
      </Stack>
      {error && (
        <Alert severity="error" title="The list could not be computed">
          {error}
        </Alert>
      )}
      {!error && items === undefined && <Text color="secondary">Loading…</Text>}
      {!error && items?.length === 0 && <Text color="success">Nothing needs attention now.</Text>}
      {!error && items && items.length > 0 && (
        <ul className={s.list}>
          {items.slice(0, MAX_ITEMS).map((it) => (
            <li key={`${it.kind} ${it.subject} ${it.message}`} data-testid={testIds.attention.item}>
              <span role="img" aria-label={it.severity}>
                <Icon
                  name={it.severity === 'critical' ? 'exclamation-circle' : 'exclamation-triangle'}
                  className={it.severity === 'critical' ? s.critical : s.warning}
                />
              </span>{' '}
              <a className={s.link} href={locationUtil.assureBaseUrl(it.link)}>
                {it.message}
              </a>
            </li>
          ))}
          {items.length > MAX_ITEMS && (
            <li>
              <Text color="secondary">and {items.length - MAX_ITEMS} more in the tables below</Text>
            </li>
          )}
        </ul>
      )}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  box: css({
    padding: theme.spacing(1, 2),
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.primary,
    width: '100%',
  }),
  list: css({ listStyle: 'none', margin: theme.spacing(1, 0, 0, 0), padding: 0 }),
  link: css({ '&:hover': { textDecoration: 'underline' } }),
  critical: css({ color: theme.colors.error.text }),
  warning: css({ color: theme.colors.warning.text }),
});
