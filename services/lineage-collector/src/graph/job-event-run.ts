const PREFIX = 'job-event:';

/**
 * The run a JobEvent's inputs and outputs are kept under: one per job and event time (the job's id is a hash
 * of its namespace and name), so the same JobEvent again lands on the same row and two jobs never share one.
 */
export const jobEventRunId = (jobId: string, at: number): string => `${PREFIX}${jobId}:${at}`;

/** Whether a run row holds a JobEvent's edges rather than a run (it is never a job's latest run). */
export const isJobEventRun = (runId: string): boolean => runId.startsWith(PREFIX);
