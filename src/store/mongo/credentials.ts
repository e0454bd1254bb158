import { conflict } from '../../errors.js';
import type { CredentialStore } from '../ports.js';
import { credentialDocumentOf, toCredentialRecord } from './access-queries.js';
import { isDuplicateKey, type MongoContext } from './database.js';
import { collectionNames, type CredentialDocument } from './documents-model.js';

/** LRS credentials, `_id` = the public key. Reads go to the primary (majority): a revocation is seen at once by every process. */
export function createMongoCredentialStore(context: MongoContext): CredentialStore {
  const credentials = () => context.collection<CredentialDocument>(collectionNames.credentials);
  return {
    async add(record) {
      try {
        await credentials().insertOne(credentialDocumentOf(record));
      } catch (error) {
        if (isDuplicateKey(error)) throw conflict('credential-exists', `a credential with key ${record.key} exists`);
        throw error;
      }
    },
    async findByKey(key) {
      const found = await credentials().findOne({ _id: key });
      return found ? toCredentialRecord(found) : null;
    },
    async list() {
      return (await credentials().find({}, { sort: { createdMs: 1, _id: 1 } }).toArray()).map(toCredentialRecord);
    },
    async revoke(key, atMs) {
      const { modifiedCount } = await credentials().updateOne({ _id: key, revokedMs: null }, { $set: { revokedMs: atMs } });
      return modifiedCount > 0;
    },
  };
}
