export const testIds = {
  app: {
    noDatasource: 'data-testid nexclipper no-datasource',
  },
  appConfig: {
    container: 'data-testid nexclipper ac-container',
    datasource: 'data-testid nexclipper ac-datasource',
    submit: 'data-testid nexclipper ac-submit',
  },
};
