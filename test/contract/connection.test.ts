/** The MongoDB path up to the connection, which runs here without a server. */
import t from 'tap';
import { openStore } from '../../src/store/index.js';
import { openMongoStore } from '../../src/store/mongo/index.js';
import { databaseNameOf, describeMongoUri } from '../../src/store/mongo/database.js';

t.test('an unreachable server: opening rejects soon, naming the hosts and never the password', async (t) => {
  const started = Date.now();
  const error = await openMongoStore({ uri: 'mongodb://cadet:s3cret@127.0.0.1:9,unreachable.invalid:27018/?replicaSet=rs0', serverSelectionTimeoutMS: 300 }).catch((e: unknown) => e as Error);
  t.ok(error instanceof Error, 'rejects');
  t.equal(error.name, 'MongoConnectionError');
  t.match(error.message, /cannot reach MongoDB at 127\.0\.0\.1:9,unreachable\.invalid:27018/);
  t.notMatch(error.message, /s3cret/, 'no password in the message');
  t.ok(Date.now() - started < 10_000, 'within the server selection timeout, not the default 30 s');
});

t.test('a malformed connection string is refused before any network', async (t) => {
  const error = await openMongoStore({ uri: 'mongodb://', serverSelectionTimeoutMS: 100 }).catch((e: unknown) => e as Error);
  t.match(error.message, /MONGODB_URI is not a usable connection string/);
});

t.test('STORE=mongodb through openStore reaches the same connection path', async (t) => {
  const error = await openStore({ store: 'mongodb', dataDir: '/tmp', mongodbUri: 'mongodb://127.0.0.1:9/cadet?serverSelectionTimeoutMS=300', mongodbDatabase: '' }).catch((e: unknown) => e as Error);
  t.match(error.message, /cannot reach MongoDB at 127\.0\.0\.1:9/);
});

t.test('hosts and database name from a connection string', async (t) => {
  t.equal(describeMongoUri('mongodb://u:p@a:1,b:2/db?replicaSet=rs0'), 'a:1,b:2');
  t.equal(describeMongoUri('mongodb+srv://cluster0.example.net/'), 'cluster0.example.net');
  t.equal(describeMongoUri('http://x'), '(not a mongodb:// URI)');
  t.equal(databaseNameOf('mongodb://a/academy?x=1'), 'academy');
  t.equal(databaseNameOf('mongodb://a/?replicaSet=rs0'), 'cadet');
  t.equal(databaseNameOf('mongodb://a/academy', 'other'), 'other');
});
