import t from 'tap';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { createStore } from '../../../src/store/index.js';

t.test('STORE=mongodb with MONGODB_URI and MONGODB_DATABASE', async (t) => {
  const config = loadConfig({}, { STORE: 'mongodb', MONGODB_URI: 'mongodb://h1,h2,h3/?replicaSet=rs0', MONGODB_DATABASE: 'academy' });
  t.match(config, { store: 'mongodb', mongodbUri: 'mongodb://h1,h2,h3/?replicaSet=rs0', mongodbDatabase: 'academy' });
  t.throws(() => createStore(config), /openStore/, 'the synchronous factory points to openStore');
});

t.test('STORE=mongodb without a URI, or with another scheme, is refused at start-up', async (t) => {
  t.throws(() => loadConfig({}, { STORE: 'mongodb' }), ConfigError);
  t.throws(() => loadConfig({}, { STORE: 'mongodb' }), /MONGODB_URI/);
  t.throws(() => loadConfig({}, { STORE: 'mongodb', MONGODB_URI: 'postgres://x' }), /MONGODB_URI/);
  t.throws(() => loadConfig({}, { STORE: 'postgres' }), /one of sqlite, mongodb/);
  t.equal(loadConfig({}, {}).store, 'sqlite', 'sqlite stays the default');
});
