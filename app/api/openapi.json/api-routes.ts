import * as audit from '@/app/api/audit/route';
import * as login from '@/app/api/auth/login/route';
import * as logout from '@/app/api/auth/logout/route';
import * as me from '@/app/api/auth/me/route';
import * as oidcCallback from '@/app/api/auth/oidc/callback/route';
import * as oidcStart from '@/app/api/auth/oidc/start/route';
import * as password from '@/app/api/auth/password/route';
import * as token from '@/app/api/auth/tokens/[id]/route';
import * as tokens from '@/app/api/auth/tokens/route';
import * as passwordReset from '@/app/api/auth/users/[id]/password-reset/route';
import * as user from '@/app/api/auth/users/[id]/route';
import * as users from '@/app/api/auth/users/route';
import * as healthLive from '@/app/api/health/live/route';
import * as healthReady from '@/app/api/health/ready/route';
import * as health from '@/app/api/health/route';
import * as operatingPoints from '@/app/api/operating-points/route';
import * as operations from '@/app/api/operations/route';
import * as outboxRetry from '@/app/api/outbox/[id]/retry/route';
import * as outbox from '@/app/api/outbox/route';
import * as quarantineFile from '@/app/api/quarantine/[id]/file/route';
import * as quarantineReingest from '@/app/api/quarantine/[id]/reingest/route';
import * as quarantineEntry from '@/app/api/quarantine/[id]/route';
import * as quarantine from '@/app/api/quarantine/route';
import * as studyActions from '@/app/api/studies/[studyInstanceUid]/actions/route';
import * as studyAudit from '@/app/api/studies/[studyInstanceUid]/audit/route';
import * as studyPriors from '@/app/api/studies/[studyInstanceUid]/priors/route';
import * as study from '@/app/api/studies/[studyInstanceUid]/route';
import * as sliceLocalization from '@/app/api/studies/[studyInstanceUid]/slices/[sopInstanceUid]/localization/route';
import * as slice from '@/app/api/studies/[studyInstanceUid]/slices/[sopInstanceUid]/route';
import * as upload from '@/app/api/upload/route';
import * as worklist from '@/app/api/worklist/route';
import * as dwStudyInstances from '@/app/dicomweb/studies/[study]/instances/route';
import * as dwStudyMetadata from '@/app/dicomweb/studies/[study]/metadata/route';
import * as dwStudy from '@/app/dicomweb/studies/[study]/route';
import * as dwFrames from '@/app/dicomweb/studies/[study]/series/[series]/instances/[instance]/frames/[frames]/route';
import * as dwInstanceMetadata from '@/app/dicomweb/studies/[study]/series/[series]/instances/[instance]/metadata/route';
import * as dwInstance from '@/app/dicomweb/studies/[study]/series/[series]/instances/[instance]/route';
import * as dwSeriesInstances from '@/app/dicomweb/studies/[study]/series/[series]/instances/route';
import * as dwSeriesMetadata from '@/app/dicomweb/studies/[study]/series/[series]/metadata/route';
import * as dwSeries from '@/app/dicomweb/studies/[study]/series/[series]/route';
import * as dwSeriesList from '@/app/dicomweb/studies/[study]/series/route';
import * as dwStudies from '@/app/dicomweb/studies/route';
import * as metrics from '@/app/metrics/route';
import { QidoQuerySchema } from '@/server/dicomweb/qido-query';
import type { ApiRoute, OperationDoc } from '@/server/http/openapi-document';
import * as openapi from './route';

// Every route module of the app, at its URL path. What the schemas cannot say (a summary, the
// main answer, the handler's own error answers) is written here; who may call each operation and
// what it accepts come from the handlers themselves. server/http/openapi-document.test.ts walks
// app/**/route.ts and fails when a module or a method is missing here.

const NOT_FOUND = { 404: 'no such study, slice or entry' };
const DICOM_JSON = { content: ['application/dicom+json'] };
const PREFLIGHT: OperationDoc = { summary: 'CORS preflight: 204 for an origin in DICOMWEB_CORS_ORIGINS, 403 otherwise (no credentials)', access: 'public', success: { status: 204 }, responses: { 403: 'origin not allowed' } };
const qido = (level: string): OperationDoc => ({ summary: `QIDO-RS: search ${level}`, query: QidoQuerySchema, success: DICOM_JSON, responses: NOT_FOUND });
const wado = (what: string): OperationDoc => ({
  summary: `WADO-RS: ${what}, each part the stored file byte for byte`,
  success: { content: ['multipart/related; type="application/dicom"'] },
  responses: { ...NOT_FOUND, 410: 'the images were deleted by retention' },
});
const metadata = (level: string): OperationDoc => ({ summary: `WADO-RS: the ${level}'s metadata (DICOM JSON, pixel data as a BulkDataURI)`, success: DICOM_JSON, responses: { ...NOT_FOUND, 410: 'the images were deleted by retention' } });

export const API_ROUTES: readonly ApiRoute[] = [
  { path: '/api/health', module: health, operations: { GET: { summary: 'Version, start time, active model and execution provider' } } },
  { path: '/api/health/live', module: healthLive, operations: { GET: { summary: 'Liveness: the process answers (no database or model check)' } } },
  { path: '/api/health/ready', module: healthReady, operations: { GET: { summary: 'Readiness: database, migrations, queue, DICOM listener, model', responses: { 503: 'not ready: the failing checks are listed' } } } },
  { path: '/metrics', module: metrics, operations: { GET: { summary: 'Prometheus metrics (text exposition format)', success: { content: ['text/plain; version=0.0.4'] }, responses: { 404: 'no metrics on this node' } } } },
  { path: '/api/openapi.json', module: openapi, operations: { GET: { summary: 'This document' } } },

  { path: '/api/auth/login', module: login, operations: { POST: { summary: 'Sign in: sets the session cookie, answers {"user"}', responses: { 401: 'wrong username or password', 429: 'too many attempts' } } } },
  { path: '/api/auth/logout', module: logout, operations: { POST: { summary: 'Sign out: ends the session and deletes the cookie', success: { status: 204 } } } },
  { path: '/api/auth/me', module: me, operations: { GET: { summary: 'Who is signed in' } } },
  { path: '/api/auth/password', module: password, operations: { POST: { summary: "Change the signed-in person's password; ends their other sessions", success: { status: 204 } } } },
  { path: '/api/auth/oidc/start', module: oidcStart, operations: { GET: { summary: 'Single sign-on step 1: redirect to the identity provider', success: { status: 302, content: [] }, responses: { 404: 'single sign-on is not configured' } } } },
  { path: '/api/auth/oidc/callback', module: oidcCallback, operations: { GET: { summary: "Single sign-on step 2: the identity provider's answer; opens a session", success: { content: ['text/html'] }, responses: { 404: 'single sign-on is not configured' } } } },
  { path: '/api/auth/users', module: users, operations: { GET: { summary: 'Every account (no password hashes)' }, POST: { summary: 'Create an account; its one-time password is in this answer only', success: { status: 201 }, responses: { 409: 'the username is taken' } } } },
  { path: '/api/auth/users/{id}', module: user, operations: { PATCH: { summary: 'Change an account: role, disabled, unlock', responses: { 404: 'no such account' } } } },
  { path: '/api/auth/users/{id}/password-reset', module: passwordReset, operations: { POST: { summary: 'Give an account a new one-time password (answered once)', responses: { 404: 'no such account' } } } },
  { path: '/api/auth/tokens', module: tokens, operations: { GET: { summary: 'Every service-account token (no hashes)' }, POST: { summary: 'Create a service-account token; the token is in this answer only', success: { status: 201 } } } },
  { path: '/api/auth/tokens/{id}', module: token, operations: { DELETE: { summary: 'Revoke a service-account token', success: { status: 204 }, responses: { 404: 'no such token' } } } },

  { path: '/api/worklist', module: worklist, operations: { GET: { summary: 'The worklist in rank order (active, reported, dismissed or all)' } } },
  { path: '/api/studies/{studyInstanceUid}', module: study, operations: { GET: { summary: 'One study with its per-slice results, series choice, model and history (journaled)', responses: NOT_FOUND } } },
  { path: '/api/studies/{studyInstanceUid}/actions', module: studyActions, operations: { POST: { summary: 'A clinician action on the study (acknowledge, agree, escalate, report, dismiss, reopen, undo, …)', responses: { ...NOT_FOUND, 409: "not possible in the study's status" } } } },
  { path: '/api/studies/{studyInstanceUid}/audit', module: studyAudit, operations: { GET: { summary: "The study's audit timeline, oldest first" } } },
  { path: '/api/studies/{studyInstanceUid}/priors', module: studyPriors, operations: { GET: { summary: "The same patient's other studies held here, newest first", responses: NOT_FOUND } } },
  {
    path: '/api/studies/{studyInstanceUid}/slices/{sopInstanceUid}',
    module: slice,
    operations: { GET: { summary: "One slice's Hounsfield units: raw little-endian Int16, row-major (sizes in X-Slice-* headers)", success: { content: ['application/octet-stream'] }, responses: { ...NOT_FOUND, 409: 'the slice cannot be decoded' } } },
  },
  { path: '/api/studies/{studyInstanceUid}/slices/{sopInstanceUid}/localization', module: sliceLocalization, operations: { GET: { summary: 'Where the model sees each label on this slice (0..1 grids)', responses: { ...NOT_FOUND, 409: 'the slice cannot be decoded' } } } },
  { path: '/api/upload', module: upload, operations: { POST: { summary: 'Dashboard upload: multipart/form-data with .dcm and .zip files; the outcome of each', responses: { 413: 'over UPLOAD_MAX_MB or UPLOAD_MAX_FILES' } } } },

  { path: '/api/audit', module: audit, operations: { GET: { summary: 'The audit journal, newest first (format=csv: every matching entry as CSV)', success: { content: ['application/json', 'text/csv'] } } } },
  { path: '/api/operations', module: operations, operations: { GET: { summary: 'Throughput, time to triage, queue depth, flag and disagreement rates, errors over a window' } } },
  { path: '/api/operating-points', module: operatingPoints, operations: { GET: { summary: 'The study-level operating point in force and its alternatives' }, PUT: { summary: 'Put another study-level operating point in force (audited)' } } },
  { path: '/api/outbox', module: outbox, operations: { GET: { summary: 'Outgoing alerts and results (webhook, FHIR, DICOM), newest first, with backlog, failed count and last error; never their payloads' } } },
  { path: '/api/outbox/{id}/retry', module: outboxRetry, operations: { POST: { summary: 'Retry a failed or waiting outgoing message now (journaled)', responses: { 404: 'no such message' } } } },
  { path: '/api/quarantine', module: quarantine, operations: { GET: { summary: 'Quarantined inputs, newest first (no patient data; journaled)' } } },
  { path: '/api/quarantine/{id}', module: quarantineEntry, operations: { DELETE: { summary: 'Delete a quarantined input and its bytes', success: { status: 204 }, responses: NOT_FOUND } } },
  { path: '/api/quarantine/{id}/file', module: quarantineFile, operations: { GET: { summary: 'The original bytes of a quarantined input (journaled)', success: { content: ['application/octet-stream'] }, responses: NOT_FOUND } } },
  { path: '/api/quarantine/{id}/reingest', module: quarantineReingest, operations: { POST: { summary: 'Run a quarantined input through the normal ingest again', responses: NOT_FOUND } } },

  {
    path: '/dicomweb/studies',
    module: dwStudies,
    operations: {
      GET: qido('studies'),
      POST: { summary: 'STOW-RS: store instances (multipart/related; type="application/dicom")', success: DICOM_JSON, responses: { 409: 'some instances were refused (PS3.18 failure reasons)', 415: 'not multipart/related' } },
      OPTIONS: PREFLIGHT,
    },
  },
  { path: '/dicomweb/studies/{study}', module: dwStudy, operations: { GET: wado('every instance of the study'), OPTIONS: PREFLIGHT } },
  { path: '/dicomweb/studies/{study}/metadata', module: dwStudyMetadata, operations: { GET: metadata('study'), OPTIONS: PREFLIGHT } },
  { path: '/dicomweb/studies/{study}/instances', module: dwStudyInstances, operations: { GET: qido("the study's instances"), OPTIONS: PREFLIGHT } },
  { path: '/dicomweb/studies/{study}/series', module: dwSeriesList, operations: { GET: qido("the study's series"), OPTIONS: PREFLIGHT } },
  { path: '/dicomweb/studies/{study}/series/{series}', module: dwSeries, operations: { GET: wado('every instance of the series'), OPTIONS: PREFLIGHT } },
  { path: '/dicomweb/studies/{study}/series/{series}/metadata', module: dwSeriesMetadata, operations: { GET: metadata('series'), OPTIONS: PREFLIGHT } },
  { path: '/dicomweb/studies/{study}/series/{series}/instances', module: dwSeriesInstances, operations: { GET: qido("the series' instances"), OPTIONS: PREFLIGHT } },
  { path: '/dicomweb/studies/{study}/series/{series}/instances/{instance}', module: dwInstance, operations: { GET: wado('the instance'), OPTIONS: PREFLIGHT } },
  { path: '/dicomweb/studies/{study}/series/{series}/instances/{instance}/metadata', module: dwInstanceMetadata, operations: { GET: metadata('instance'), OPTIONS: PREFLIGHT } },
  {
    path: '/dicomweb/studies/{study}/series/{series}/instances/{instance}/frames/{frames}',
    module: dwFrames,
    operations: {
      GET: { summary: 'WADO-RS: frames (1-based, comma-separated), the pixel data as stored, one part each', success: { content: ['multipart/related; type="application/octet-stream"'] }, responses: { ...NOT_FOUND, 410: 'the images were deleted by retention' } },
      OPTIONS: PREFLIGHT,
    },
  },
];
