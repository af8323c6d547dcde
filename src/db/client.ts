import { MongoClient, type Db } from 'mongodb';

export interface Database {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

/** Connects to any MongoDB-wire server (FerretDB locally, MongoDB in production). */
export async function connectDatabase(uri: string, dbName: string): Promise<Database> {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 15_000 });
  const db = client.db(dbName);
  return { client, db, close: () => client.close() };
}
