/** Builds the studio (Electron main, preload, renderer) once, before the tests that serve it. */
import { buildStudio } from '../bin/build.mjs';

export default function setup(): void {
  if (!buildStudio()) throw new Error('the studio did not build (see above)');
}
