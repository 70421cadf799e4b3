/**
 * Numbered, append-only schema migrations. Never edit a migration that has shipped:
 * add a new one. `PRAGMA user_version` records the last one applied.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema: meta, categories, items, label history, jobs, import issues',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      -- A category is a node of the tree. Its full name joins the path with ' > '.
      CREATE TABLE categories (
        id        INTEGER PRIMARY KEY,
        name      TEXT NOT NULL UNIQUE,
        leaf_name TEXT NOT NULL,
        parent_id INTEGER REFERENCES categories(id),
        depth     INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX categories_parent ON categories(parent_id);

      CREATE TABLE items (
        id                   INTEGER PRIMARY KEY,
        path                 TEXT NOT NULL UNIQUE,  -- relative to the dataset root, '/' separated
        size                 INTEGER NOT NULL,
        mtime_ms             INTEGER NOT NULL,
        width                INTEGER,
        height               INTEGER,
        format               TEXT,
        original_category_id INTEGER NOT NULL REFERENCES categories(id),
        category_id          INTEGER NOT NULL REFERENCES categories(id),
        status               TEXT NOT NULL DEFAULT 'active'
                             CHECK (status IN ('active', 'excluded', 'missing', 'broken')),
        reason               TEXT                   -- why an item is broken (or missing)
      ) STRICT;
      CREATE INDEX items_category_status ON items(category_id, status);
      CREATE INDEX items_status ON items(status);

      -- One user action (or one import) is one batch: the unit of undo and redo.
      CREATE TABLE batches (
        id          INTEGER PRIMARY KEY,
        at          TEXT NOT NULL,
        source      TEXT NOT NULL,                 -- user | import | balance | review ...
        description TEXT NOT NULL,
        undoable    INTEGER NOT NULL,
        state       TEXT NOT NULL DEFAULT 'done'
                    CHECK (state IN ('done', 'undone', 'discarded')),
        undone_seq  INTEGER                        -- order of undos, for redo
      ) STRICT;

      CREATE TABLE label_events (
        id         INTEGER PRIMARY KEY,
        item_id    INTEGER NOT NULL REFERENCES items(id),
        batch_id   INTEGER NOT NULL REFERENCES batches(id),
        field      TEXT NOT NULL CHECK (field IN ('category', 'status')),
        from_value TEXT,
        to_value   TEXT,
        at         TEXT NOT NULL
      ) STRICT;
      CREATE INDEX label_events_item ON label_events(item_id);
      CREATE INDEX label_events_batch ON label_events(batch_id);

      CREATE TABLE jobs (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL,
        state       TEXT NOT NULL
                    CHECK (state IN ('running', 'done', 'failed', 'cancelled', 'interrupted')),
        params      TEXT NOT NULL DEFAULT '{}',
        done        INTEGER NOT NULL DEFAULT 0,
        total       INTEGER,
        result      TEXT,
        error       TEXT,
        pid         INTEGER,
        started_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        finished_at TEXT
      ) STRICT;

      -- Files an import could not take as items (unreadable folders, symlink loops, ...).
      CREATE TABLE import_issues (
        id     INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id),
        path   TEXT NOT NULL,
        reason TEXT NOT NULL
      ) STRICT;
      CREATE INDEX import_issues_job ON import_issues(job_id);
    `,
  },
  {
    version: 2,
    name: 'train/validation split, content hashes for duplicates, balance plan',
    sql: `
      ALTER TABLE items ADD COLUMN split TEXT CHECK (split IN ('train', 'validation'));
      -- hash of the file's bytes, computed only for files whose size another file shares
      ALTER TABLE items ADD COLUMN content_hash TEXT;
      CREATE INDEX items_split ON items(split, status);
      CREATE INDEX items_size ON items(size);

      -- The applied balance plan: how many times each item goes into training (0 = left out).
      -- Items without a row count once. Validation items are never repeated.
      CREATE TABLE balance_items (
        item_id INTEGER PRIMARY KEY REFERENCES items(id),
        copies  INTEGER NOT NULL CHECK (copies >= 0)
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'training runs and their metrics',
    sql: `
      CREATE TABLE runs (
        id          TEXT PRIMARY KEY,
        created_at  TEXT NOT NULL,
        model       TEXT NOT NULL,
        options     TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('running', 'stopped', 'done', 'failed')),
        backend     TEXT,
        epoch       INTEGER NOT NULL DEFAULT 0,
        step        INTEGER NOT NULL DEFAULT 0,
        total_steps INTEGER,
        top1        REAL,
        top5        REAL,
        message     TEXT,
        pid         INTEGER,
        updated_at  TEXT NOT NULL
      ) STRICT;

      -- kind: 'train' every N steps and at each epoch end, 'validation' at each epoch end
      CREATE TABLE run_metrics (
        id         INTEGER PRIMARY KEY,
        run_id     TEXT NOT NULL REFERENCES runs(id),
        kind       TEXT NOT NULL CHECK (kind IN ('train', 'validation')),
        step       INTEGER NOT NULL,
        epoch      REAL NOT NULL,
        loss       REAL,
        top1       REAL,
        top5       REAL,
        lr         REAL,
        images_per_sec REAL,
        at         TEXT NOT NULL
      ) STRICT;
      CREATE INDEX run_metrics_run ON run_metrics(run_id, kind, step);
    `,
  },
  {
    version: 4,
    name: 'stored predictions of a run per item (top-k, probability of the label)',
    sql: `
      -- One row per (run, item): what the run's model says of the item's image. The model's
      -- answer does not depend on the label, so a row stays valid after a relabel; label_id
      -- records the label it was scored against, and a row whose label_id differs from the
      -- item's category_id is stale for the label's probability. Categories are stored as
      -- category ids (so renames keep them); a category of the model that the project no
      -- longer has is stored as -(index + 1), its index in the run's labels.json.
      CREATE TABLE predictions (
        run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        item_id     INTEGER NOT NULL REFERENCES items(id),
        label_id    INTEGER NOT NULL,       -- the item's category when predicted
        top1        INTEGER NOT NULL,       -- the model's first choice (category id, see above)
        top1_prob   REAL NOT NULL,
        label_prob  REAL,                   -- probability of label_id (null: the model does not know it)
        top_k       BLOB NOT NULL,          -- k int32 categories (as top1), then k float32 probabilities, best first
        size        INTEGER NOT NULL,       -- the file's size and mtime when predicted
        mtime_ms    INTEGER NOT NULL,
        PRIMARY KEY (run_id, item_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX predictions_top1 ON predictions(run_id, top1, top1_prob);

      -- The last time a run's predictions were brought up to date, per filter (JSON).
      CREATE TABLE evaluations (
        run_id     TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        filter     TEXT NOT NULL,
        at         TEXT NOT NULL,
        items      INTEGER NOT NULL,
        PRIMARY KEY (run_id, filter)
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'items remember whether the file was fully decoded (strictly) since it last changed',
    sql: `
      -- 1 once the whole image decoded without a warning (the thumbnail job or an export did
      -- it); reset to 0 whenever the import sees a new size or mtime. A failed decode makes
      -- the item broken instead, with the decoder's message as its reason.
      ALTER TABLE items ADD COLUMN decoded INTEGER NOT NULL DEFAULT 0 CHECK (decoded IN (0, 1));
      CREATE INDEX items_undecoded ON items(id) WHERE decoded = 0 AND status = 'active';
    `,
  },
  {
    version: 6,
    name: 'embeddings per run and item, review scores, kept labels',
    sql: `
      -- The penultimate layer of a run's model per item (projected to at most 256 values),
      -- quantised to int8 with one scale per vector: 256 + 4 bytes an item.
      CREATE TABLE embeddings (
        run_id   TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        item_id  INTEGER NOT NULL REFERENCES items(id),
        size     INTEGER NOT NULL,          -- the file's size and mtime when embedded
        mtime_ms INTEGER NOT NULL,
        scale    REAL NOT NULL,             -- value = int8 x scale
        vector   BLOB NOT NULL,
        PRIMARY KEY (run_id, item_id)
      ) STRICT, WITHOUT ROWID;

      -- Out-of-sample scores of the last review of a run: the ranking of likely mislabels.
      CREATE TABLE review_scores (
        run_id         TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        item_id        INTEGER NOT NULL REFERENCES items(id),
        label_id       INTEGER NOT NULL,    -- the label the scores were computed against
        label_prob     REAL NOT NULL,       -- out-of-sample probability of that label
        suggested      INTEGER NOT NULL,    -- the most probable other category (id)
        suggested_prob REAL NOT NULL,
        score          REAL NOT NULL,       -- higher = more likely wrong
        suspected      INTEGER NOT NULL,    -- in the confident-learning error set
        PRIMARY KEY (run_id, item_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX review_scores_rank ON review_scores(run_id, suspected, score);

      -- "Keep this label": the item stays out of review queues while its label is category_id.
      -- Undo and redo go through the batch's state, like label changes.
      CREATE TABLE review_kept (
        item_id     INTEGER NOT NULL REFERENCES items(id),
        category_id INTEGER NOT NULL,
        batch_id    INTEGER NOT NULL REFERENCES batches(id),
        PRIMARY KEY (item_id, batch_id)
      ) STRICT;
      CREATE INDEX review_kept_item ON review_kept(item_id);
      CREATE TABLE review_meta (
        run_id   TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        at       TEXT NOT NULL,
        method   TEXT NOT NULL,
        details  TEXT NOT NULL               -- JSON: thresholds, estimated errors per category
      ) STRICT;
    `,
  },
  {
    version: 7,
    name: 'runs get a name and a note',
    sql: `
      -- what the user calls a run and why they ran it, to tell runs apart when comparing them;
      -- both editable after the run (NULL: none given)
      ALTER TABLE runs ADD COLUMN name TEXT;
      ALTER TABLE runs ADD COLUMN note TEXT;
    `,
  },
];
