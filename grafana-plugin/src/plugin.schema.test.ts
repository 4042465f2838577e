import fs from 'fs';
import path from 'path';
import Ajv from 'ajv';
import { prefixRoute, ROUTES } from './constants';

const root = path.resolve(__dirname, '..');
const schema = JSON.parse(fs.readFileSync(path.join(root, 'schema', 'plugin.schema.json'), 'utf8'));
const pluginJson = JSON.parse(fs.readFileSync(path.join(root, 'src', 'plugin.json'), 'utf8'));
// unicodeRegExp off: Grafana's id pattern escapes '-' (\-), which unicode-mode RegExp rejects.
const validate = new Ajv({ allErrors: true, unicodeRegExp: false }).compile(schema);

type Json = Record<string, any>;
const copy = (): Json => JSON.parse(JSON.stringify(pluginJson));

describe('src/plugin.json', () => {
  it('is valid against schema/plugin.schema.json', () => {
    const ok = validate(pluginJson);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('has one page per top-level route, Overview the default', () => {
    const pages = pluginJson.includes.filter((i: Json) => i.type === 'page' && i.path.startsWith('/a/'));
    const paths = pages.map((p: Json) => p.path.replace('%PLUGIN_ID%', pluginJson.id));
    expect(paths).toEqual(Object.values(ROUTES).map(prefixRoute));
    const defaults = pluginJson.includes.filter((i: Json) => i.defaultNav);
    expect(defaults.map((i: Json) => i.name)).toEqual(['Overview']);
  });

  it('declares a backend executable named gpx_nexclipper and Grafana >= 12.4', () => {
    expect(pluginJson.backend).toBe(true);
    expect(pluginJson.executable).toBe('gpx_nexclipper');
    expect(pluginJson.dependencies.grafanaDependency).toBe('>=12.4.0');
  });
});

describe('schema rejects a broken plugin.json', () => {
  const cases: Array<[string, (p: Json) => void, string]> = [
    ['id not following the naming convention', (p) => (p.id = 'NexClipper_App'), '/id'],
    ['id without the type suffix', (p) => (p.id = 'nexclipper-observability'), '/id'],
    ['app whose id ends in -panel', (p) => (p.id = 'nexclipper-observability-panel'), '/id'],
    ['unknown plugin type', (p) => (p.type = 'widget'), '/type'],
    ['missing info', (p) => delete p.info, ''],
    ['missing logos', (p) => delete p.info.logos, '/info'],
    ['missing grafanaDependency', (p) => delete p.dependencies.grafanaDependency, '/dependencies'],
    [
      'grafanaDependency that is not a range',
      (p) => (p.dependencies.grafanaDependency = 'latest'),
      '/dependencies/grafanaDependency',
    ],
    ['backend without executable', (p) => delete p.executable, ''],
    ['unknown include type', (p) => (p.includes[0].type = 'link'), '/includes/0/type'],
    ['page include without path', (p) => delete p.includes[0].path, '/includes/0'],
    [
      'dashboard include not pointing at JSON',
      (p) => p.includes.push({ type: 'dashboard', name: 'D', path: 'dashboards/d.yaml' }),
      '/includes/5/path',
    ],
    ['unknown role', (p) => (p.includes[0].role = 'Owner'), '/includes/0/role'],
    ['addToNav that is not a boolean', (p) => (p.includes[0].addToNav = 'yes'), '/includes/0/addToNav'],
    ['unknown top-level property', (p) => (p.backendd = true), ''],
  ];

  it.each(cases)('%s', (_name, breakIt, where) => {
    const broken = copy();
    breakIt(broken);
    expect(validate(broken)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toContain(where);
  });
});
