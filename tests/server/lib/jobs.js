// SPDX-License-Identifier: Apache-2.0
'use strict';
// Background jobs (snapshot restore and export) that move through
// Pending -> Executing -> Completed | Failed over a fixed duration, the
// states datacoord's copy-segment and export jobs go through.  A timer
// finishes them on time; every read also catches up, so a late timer never
// shows a stale state.  What a job reports as progress is up to its owner
// (areas/snapshot.js): tick() gives the phase and how far into the
// Executing phase the job is.

const { startTimer } = require('./progress');

const MAX_PENDING_MS = 100;

// spec: { kind, durationMs, failReason, skipExecuting, fields, onComplete, onFail }
// skipExecuting: the job goes from Pending straight to its end (datacoord
// completes a restore job without segments on its first check).
function createJob(state, spec) {
  const now = Date.now();
  const duration = Math.max(0, spec.durationMs);
  const pendingMs = Math.min(MAX_PENDING_MS, Math.floor(duration * 0.1));
  const job = {
    id: state.newId(),
    kind: spec.kind,
    startTime: now,
    durationMs: spec.skipExecuting ? pendingMs : duration,
    pendingMs,
    skipExecuting: !!spec.skipExecuting,
    failReason: spec.failReason || '',
    finished: false,
    final: null, // { state, fraction, endTime }
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
  if (job.skipExecuting) return job.durationMs;
  return job.failReason ? Math.floor(job.durationMs / 2) : job.durationMs;
}

// How far into the Executing phase a job is at time t, 0 to just below 1.
function fractionAt(job, t) {
  const span = job.durationMs - job.pendingMs;
  if (span <= 0) return 0;
  const f = (t - job.startTime - job.pendingMs) / span;
  return Math.max(0, Math.min(0.999, f));
}

function finish(job, now) {
  job.finished = true;
  const endTime = job.startTime + endOffset(job);
  if (job.failReason) {
    job.final = { state: 'Failed', fraction: fractionAt(job, endTime), endTime };
    job.onFail(job);
  } else {
    job.final = { state: 'Completed', fraction: 1, endTime };
    try {
      job.onComplete(job);
    } catch (err) {
      job.final = { state: 'Failed', fraction: fractionAt(job, now), endTime: now };
      job.failReason = err.message;
    }
  }
}

// Brings a job up to date and returns { state, fraction, elapsed, endTime }:
// state one of Pending, Executing, Completed, Failed; fraction how far into
// Executing (1 once Completed); elapsed the milliseconds since the start,
// up to the end for a finished job; endTime 0 while it runs.
function tick(job, now = Date.now()) {
  if (!job.finished && now - job.startTime >= endOffset(job)) finish(job, now);
  if (job.final) {
    return {
      state: job.final.state, fraction: job.final.fraction, elapsed: job.final.endTime - job.startTime, endTime: job.final.endTime,
    };
  }
  const elapsed = now - job.startTime;
  if (elapsed < job.pendingMs || job.skipExecuting) return { state: 'Pending', fraction: 0, elapsed, endTime: 0 };
  return { state: 'Executing', fraction: fractionAt(job, now), elapsed, endTime: 0 };
}

module.exports = { createJob, tick };
