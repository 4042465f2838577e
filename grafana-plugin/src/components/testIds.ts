export const testIds = {
  app: {
    noDatasource: 'data-testid nexclipper no-datasource',
  },
  appConfig: {
    container: 'data-testid nexclipper ac-container',
    datasource: 'data-testid nexclipper ac-datasource',
    prometheusUrl: 'data-testid nexclipper ac-prometheus-url',
    submit: 'data-testid nexclipper ac-submit',
    check: 'data-testid nexclipper ac-check',
    health: 'data-testid nexclipper ac-health',
  },
  attention: {
    container: 'data-testid nexclipper attention',
    item: 'data-testid nexclipper attention-item',
    status: 'data-testid nexclipper attention-status',
  },
};
