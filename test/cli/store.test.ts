import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertNoStack, cliSandboxes, pars } from '../support/cli.ts';
import Database from 'better-sqlite3';
import { toHex } from '../../src/crypto/index.ts';
import { LATEST_SCHEMA_VERSION, SqliteStore } from '../../src/store/index.ts';
import { makeAuthor, randomDag } from '../support/fixtures.ts';

// `pars store info|check` end to end: the CLI as a child process, as in cli.test.ts. Vertices are
// written into the store directly, the way the ingest path commits them.
const sandbox = await cliSandboxes('pars-cli-store-test-');


interface InfoJson {
  store: string;
  schemaVersion: number;
  latestSchemaVersion: number;
  fileBytes: number;
  walBytes: number;
  vertices: number;
  authorKeys: number;
  topics: { topic: string; vertices: number; frontier: number }[];
}


const storeFile = (env: Record<string, string>): string => join(env['PARS_HOME'] as string, 'node.sqlite');

/** An initialised data directory whose store holds a small two-topic DAG from three authors. */
async function populated(): Promise<{ env: Record<string, string>; count: number; frontiers: Map<string, string[]> }> {
  const env = await sandbox();
  const init = await pars(['init'], env);
  assert.equal(init.code, 0, init.stderr);
  const authors = [1, 2, 3].map((n) => makeAuthor(n));
  const vertices = randomDag({ vertices: 40, authors, topics: 2, seed: 7 });
  const store = SqliteStore.open(storeFile(env));
  for (const a of authors) store.putKey(a.author, { algorithm: 'ml-dsa-65', publicKey: a.publicKey });
  store.putVertices(vertices);
  const frontiers = store.frontiers();
  store.close();
  return { env, count: vertices.length, frontiers };
}

describe('pars store', { concurrency: 4 }, () => {
  test('init creates the store; info on it shows the latest schema and no vertices', async () => {
    const env = await sandbox();
    const init = await pars(['init', '--json'], env);
    assert.equal(init.code, 0, init.stderr);
    assert.equal((JSON.parse(init.stdout) as { store: string }).store, storeFile(env));
    await fs.stat(storeFile(env));

    const info = await pars(['store', 'info'], env);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /^store\s+.*node\.sqlite$/m);
    assert.match(info.stdout, new RegExp(`^schema version\\s+${LATEST_SCHEMA_VERSION}$`, 'm'));
    assert.match(info.stdout, /^vertices\s+0$/m);
    assert.match(info.stdout, /^author keys\s+0$/m);
    assert.match(info.stdout, /^topics\s+0$/m);
    assert.match(info.stdout, /^file size\s+\d+ bytes/m);

    const json = JSON.parse((await pars(['store', 'info', '--json'], env)).stdout) as InfoJson;
    assert.equal(json.store, storeFile(env));
    assert.equal(json.schemaVersion, LATEST_SCHEMA_VERSION);
    assert.equal(json.vertices, 0);
    assert.deepEqual(json.topics, []);
    assert.ok(json.fileBytes > 0);

    const check = await pars(['store', 'check'], env);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /^ok\s+.*node\.sqlite: 0 vertices/);
  });

  test('info lists stored vertices, topics and frontiers; check says ok', async () => {
    const { env, count, frontiers } = await populated();
    const info = await pars(['store', 'info'], env);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, new RegExp(`^vertices\\s+${count}$`, 'm'));
    assert.match(info.stdout, /^author keys\s+3$/m);
    assert.match(info.stdout, /^topics\s+2$/m);

    const json = JSON.parse((await pars(['store', 'info', '--json'], env)).stdout) as InfoJson;
    assert.equal(json.vertices, count);
    assert.equal(json.authorKeys, 3);
    assert.deepEqual(
      json.topics.map((t) => t.topic),
      [...frontiers.keys()].sort(),
    );
    for (const t of json.topics) {
      assert.equal(t.frontier, frontiers.get(t.topic)?.length);
      assert.match(info.stdout, new RegExp(`^  ${t.topic}  ${t.vertices} vertices, frontier ${t.frontier}$`, 'm'));
    }
    assert.equal(
      json.topics.reduce((n, t) => n + t.vertices, 0),
      count,
    );

    const check = await pars(['store', 'check'], env);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, new RegExp(`^ok\\s+.*: ${count} vertices`));
    const checkJson = JSON.parse((await pars(['store', 'check', '--json'], env)).stdout) as { ok: boolean; vertices: number; problems: string[] };
    assert.deepEqual(checkJson, { store: storeFile(env), ok: true, vertices: count, problems: [] });
  });

  test('check on a corrupted store lists every problem and exits 1', async () => {
    const { env, frontiers } = await populated();
    const [topic, tips] = [...frontiers][0] as [string, string[]];
    const raw = new Database(storeFile(env));
    // Drop one frontier row, and damage one vertex's bytes so it no longer hashes to its id.
    raw.prepare('DELETE FROM frontiers WHERE topic = ? AND id = ?').run(Buffer.from(topic, 'hex'), Buffer.from(tips[0] as string, 'hex'));
    const victim = raw.prepare('SELECT id FROM vertices ORDER BY seq LIMIT 1').pluck().get() as Buffer;
    raw.prepare('UPDATE vertices SET bytes = ? WHERE id = ?').run(Buffer.from('not a vertex'), victim);
    raw.close();

    const check = await pars(['store', 'check'], env);
    assert.equal(check.code, 1);
    assert.match(check.stdout, /^2 problems in .*node\.sqlite:$/m);
    assert.match(check.stdout, new RegExp(`^  - frontier of topic ${topic} differs from a rebuild$`, 'm'));
    assert.match(check.stdout, new RegExp(`^  - vertex ${toHex(victim)} does not hash to its id$`, 'm'));
    assert.match(check.stderr, /^pars: store .*node\.sqlite failed its integrity check \(2 problems\)$/m);
    assertNoStack(check);

    const json = await pars(['store', 'check', '--json'], env);
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout) as { ok: boolean; problems: string[] };
    assert.equal(report.ok, false);
    assert.equal(report.problems.length, 2);

    // info still works on a damaged store, and shows the shrunken frontier
    const info = await pars(['store', 'info', '--json'], env);
    assert.equal(info.code, 0, info.stderr);
    const shown = (JSON.parse(info.stdout) as InfoJson).topics.find((t) => t.topic === topic);
    assert.equal(shown?.frontier, tips.length - 1);
  });

  test('a file that is not a database is reported, not a crash', async () => {
    const env = await sandbox();
    await fs.mkdir(env['PARS_HOME'] as string, { recursive: true });
    await fs.writeFile(storeFile(env), 'this is not sqlite'.repeat(300));
    for (const sub of ['info', 'check']) {
      const run = await pars(['store', sub], env);
      assert.equal(run.code, 1, sub);
      assert.match(run.stderr, /^pars: cannot open store .*node\.sqlite/m);
      assertNoStack(run);
    }
  });

  test('a missing store is a clear error, and info does not create one', async () => {
    const env = await sandbox();
    for (const sub of ['info', 'check']) {
      const run = await pars(['store', sub], env);
      assert.equal(run.code, 1, sub);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^pars: no store at .*node\.sqlite; run `pars init`/);
      assertNoStack(run);
    }
    await assert.rejects(fs.stat(storeFile(env)), { code: 'ENOENT' });
    await assert.rejects(fs.stat(env['PARS_HOME'] as string), { code: 'ENOENT' });
  });

  test('pars store without a subcommand prints its usage', async () => {
    const run = await pars(['store'], await sandbox());
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /info/);
    assert.match(run.stderr, /check/);
  });
});
