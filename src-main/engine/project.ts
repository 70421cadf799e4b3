/**
 * A Shiwake project: a directory with shiwake.db and the folders later work fills
 * (thumbnails, runs, exports). It remembers the dataset folder it came from and never
 * writes there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, type Db } from './db/connection.js';
import { isProcessAlive } from './files.js';
import { isInside } from './paths.js';
import { CategoryRepo } from './db/repos/categories.js';
import { ItemRepo } from './db/repos/items.js';
import { EditRepo } from './db/repos/edits.js';
import { JobRepo } from './db/repos/jobs.js';
import { LabelRepo } from './db/repos/labels.js';
import { MetaRepo } from './db/repos/meta.js';
import { PlanRepo } from './db/repos/plan.js';
import { PredictionRepo } from './db/repos/predictions.js';
import { ReviewRepo } from './db/repos/review.js';
import { RunRepo } from './db/repos/runs.js';

export const DB_FILE = 'shiwake.db';
export const PROJECT_FOLDERS = ['thumbnails', 'runs', 'exports'] as const;

export class Project {
  readonly categories: CategoryRepo;
  readonly items: ItemRepo;
  readonly labels: LabelRepo;
  readonly jobs: JobRepo;
  readonly meta: MetaRepo;
  readonly edits: EditRepo;
  readonly plan: PlanRepo;
  readonly runs: RunRepo;
  readonly predictions: PredictionRepo;
  readonly review: ReviewRepo;

  private constructor(
    readonly dir: string,
    readonly db: Db,
  ) {
    this.categories = new CategoryRepo(db);
    this.items = new ItemRepo(db);
    this.labels = new LabelRepo(db);
    this.jobs = new JobRepo(db);
    this.meta = new MetaRepo(db);
    this.edits = new EditRepo(db);
    this.plan = new PlanRepo(db);
    this.runs = new RunRepo(db);
    this.predictions = new PredictionRepo(db);
    this.review = new ReviewRepo(db);
  }

  /** The dataset folder this project was made from (absolute). */
  get datasetRoot(): string {
    const root = this.meta.get('dataset_root');
    if (!root) throw new Error(`project ${this.dir} has no dataset folder yet: run "shiwake import <folder> --project ${this.dir}"`);
    return root;
  }

  /** Opens an existing project; fails with a clear message when there is none. */
  static open(dir: string): Project {
    const abs = path.resolve(dir);
    const file = path.join(abs, DB_FILE);
    if (!fs.existsSync(file)) {
      throw new Error(`${abs} is not a Shiwake project (no ${DB_FILE}); create one with "shiwake import <dataset-folder> --project ${dir}"`);
    }
    return Project.attach(abs);
  }

  /**
   * Opens the project in `dir`, creating it for `datasetRoot` when it does not exist.
   * A project belongs to one dataset folder: opening it for another is an error.
   */
  static openOrCreate(dir: string, datasetRoot: string): Project {
    const abs = path.resolve(dir);
    const root = path.resolve(datasetRoot);
    if (isInside(abs, root)) {
      throw new Error(`the project folder ${abs} is inside the dataset folder ${root}; Shiwake never writes into a dataset, choose a project folder outside it`);
    }
    fs.mkdirSync(abs, { recursive: true });
    const project = Project.attach(abs);
    const existing = project.meta.get('dataset_root');
    if (existing === undefined) {
      project.meta.set('dataset_root', root);
      project.meta.set('created_at', new Date().toISOString());
    } else if (existing !== root) {
      project.close();
      throw new Error(`project ${abs} was made from ${existing}, not ${root}; use another --project folder`);
    }
    return project;
  }

  private static attach(abs: string): Project {
    for (const sub of PROJECT_FOLDERS) fs.mkdirSync(path.join(abs, sub), { recursive: true });
    const project = new Project(abs, openDatabase(path.join(abs, DB_FILE)));
    project.jobs.markInterrupted(isProcessAlive);
    project.runs.markInterrupted(isProcessAlive);
    return project;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
