/**
 * The Cloud Functions (2nd gen) entry points. Each deployed function names one of these as its
 * entry point; all of them share this source (see README.md beside this file):
 * - ingestPubSub: CloudEvent `google.cloud.pubsub.topic.v1.messagePublished` (Log Router sink → Pub/Sub)
 * - ingestAuditLog: CloudEvent `google.cloud.audit.log.v1.written` (Eventarc audit-log trigger)
 * - scheduledDetect: HTTP, called by Cloud Scheduler
 */

import type { CloudEvent } from '@google-cloud/functions-framework';
import * as functions from '@google-cloud/functions-framework';
import { processEnvironment } from '../../shared/adapters/config/process-environment.js';
import { lazyRuntime, startFunctionRuntime } from '../../shared/adapters/runtime/function-runtime.js';
import { interceptUnreadableBodies, replyToCurrentRequest, servedTarget } from './framework-hooks.js';
import { ingestCloudEvent, ingestUnreadableBody, NotStoredError } from './ingest-cloud-event.js';
import { scheduledDetectHttp } from './scheduled-detect-http.js';
import type { Trigger } from './unreadable-body.js';

const runtime = lazyRuntime(() => startFunctionRuntime(processEnvironment()));
const INGEST: Readonly<Record<string, Trigger>> = { ingestPubSub: 'pubsub', ingestAuditLog: 'eventarc' };

for (const [name, trigger] of Object.entries(INGEST)) {
  functions.cloudEvent(name, (event: CloudEvent<unknown>) =>
    ingestCloudEvent(runtime, trigger, event).catch((error: unknown) => {
      if (error instanceof NotStoredError) replyToCurrentRequest(error.reply);
      throw error;
    }),
  );
}
functions.http('scheduledDetect', (request, response) => scheduledDetectHttp(runtime, request, response));

const served = INGEST[servedTarget(process.argv, processEnvironment())];
if (served !== undefined) interceptUnreadableBodies((body) => ingestUnreadableBody(runtime, served, body));
