import type { Project } from '../dag/project.js';
import { assessAll, type Assessment } from '../dag/assess.js';
import type { ProjectSource } from './snapshot.js';

/** How old an assessment may be before a request triggers a check in the background. */
const REVALIDATE_AFTER_MS = 1000;
/** The check waits this long after the request, so the page's other requests go first. */
const REVALIDATE_DELAY_MS = 500;

export interface Assessed {
  project: Project;
  assessments: Map<string, Assessment>;
}

/** Instance -> state and reasons, to tell whether two assessments differ for a reader. */
function signature(a: Map<string, Assessment>): string {
  const parts: string[] = [];
  for (const [id, x] of a) parts.push(`${id}\u0000${x.state}\u0000${x.reasons.join('\u0001')}`);
  return parts.join('\u0002');
}

/**
 * Assessing every instance stats every input and output (about 5,000 files at 500 tickers):
 * too slow to redo for each of a page's requests on a busy machine. The assessment is redone at
 * once when the DAG file, the settings or the records change (a run, an edit); changes nothing
 * announces (an artifact edited by hand, new rows in a raw CSV) are found by a check in the
 * background after a request finds the assessment older than a second, and `onChange` then
 * tells the pages to fetch again.
 */
export class AssessmentCache {
  private cached: (Assessed & { stamp: string; at: number; signature: string }) | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: ProjectSource,
    private readonly onChange: () => void,
  ) {}

  async get(): Promise<Assessed> {
    const stamp = this.source.stamp();
    if (this.cached && this.cached.stamp === stamp) {
      if (Date.now() - this.cached.at > REVALIDATE_AFTER_MS) this.scheduleCheck();
      return this.cached;
    }
    return this.compute(stamp);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async compute(stamp: string): Promise<Assessed> {
    const project = await this.source.current();
    // before the first load the source cannot stamp the settings and records it has not located
    // yet; a change in between is found by the background check
    if (!this.cached) stamp = this.source.stamp();
    const assessments = assessAll(project, project.plan.order);
    this.cached = { project, assessments, stamp, at: Date.now(), signature: signature(assessments) };
    return this.cached;
  }

  private scheduleCheck(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const before = this.cached?.signature;
      this.compute(this.source.stamp()).then(
        (after) => {
          if (this.cached && before !== this.cached.signature) this.onChange();
          return after;
        },
        // a project that stopped loading: the next request reports it with its message
        () => (this.cached = null),
      );
    }, REVALIDATE_DELAY_MS);
    this.timer.unref();
  }
}
