// SPDX-License-Identifier: Apache-2.0
'use strict';
// Background jobs (snapshot restore and export) that move through
// Pending -> Executing (progress) -> Completed | Failed over a fixed
// duration.  A timer finishes them on time; every read also catches up, so
// a late timer never shows a stale state.

const { startTimer } = require('./progress');

const MAX_PENDING_MS = 100;

function createJob(state, spec) {
  const now = Date.now();
  const duration = Math.max(0, spec.durationMs);
  const job = {
    id: state.newId(),
    kind: spec.kind,
    startTime: now,
    durationMs: duration,
    pendingMs: Math.min(MAX_PENDING_MS, Math.floor(duration * 0.1)),
    failReason: spec.failReason || '',
    finished: false,
    final: null, // { state, progress, endTime }
    onComplete: spec.onComplete || (() => {}),
    onFail: spec.onFail || (() => {}),
    ...spec.fields,
  };
  state.jobs.set(job.id, job);
  startTimer(endOffset(job), () => tick(job));
  return job;
}

// When the job ends, relative to its start: failing jobs stop half-way.
function endOffset(job) {
  return job.failReason ? Math.floor(job.durationMs / 2) : job.durationMs;
}

function finish(job, now) {
  job.finished = true;
  const endTime = job.startTime + endOffset(job);
  if (job.failReason) {
    job.final = { state: 'Failed', progress: progressAt(job, endTime), endTime };
    job.onFail(job);
  } else {
    job.final = { state: 'Completed', progress: 100, endTime };
    try {
      job.onComplete(job);
    } catch (err) {
      job.final = { state: 'Failed', progress: progressAt(job, now), endTime: now };
      job.failReason = err.message;
    }
  }
}

function progressAt(job, t) {
  const span = job.durationMs - job.pendingMs;
  if (span <= 0) return 0;
  const p = Math.floor(((t - job.startTime - job.pendingMs) / span) * 100);
  return Math.max(0, Math.min(99, p));
}

// Brings a job up to date and returns { state, progress, timeCost } with
// state one of Pending, Executing, Completed, Failed.
function tick(job, now = Date.now()) {
  if (!job.finished && now - job.startTime >= endOffset(job)) finish(job, now);
  if (job.final) {
    return { state: job.final.state, progress: job.final.progress, timeCost: job.final.endTime - job.startTime };
  }
  const elapsed = now - job.startTime;
  if (elapsed < job.pendingMs) return { state: 'Pending', progress: 0, timeCost: elapsed };
  return { state: 'Executing', progress: progressAt(job, now), timeCost: elapsed };
}

module.exports = { createJob, tick };
