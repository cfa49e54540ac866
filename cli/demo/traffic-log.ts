/**
 * What the clouds logged during the week, before delivery: each record with the time of the
 * call and what decides how it travels (account, region, management or data event).
 */
import type { JsonObject } from '../../shared/core/json-access.js';
import {
  assumeRoleWithWebIdentityRecord,
  type RoleSession,
  type S3Call,
  s3DataEventRecord,
  type WebIdentityCall,
} from './cloudtrail-records.js';
import { type Random, temporaryAccessKeyId } from './random.js';

export interface CloudTrailEvent {
  readonly cloud: 'aws';
  readonly time: number;
  readonly account: string;
  readonly region: string;
  readonly category: 'Management' | 'Data';
  readonly record: JsonObject;
}

export interface LogEntryEvent {
  readonly cloud: 'gcp';
  readonly time: number;
  readonly entry: JsonObject;
}

export type LoggedEvent = CloudTrailEvent | LogEntryEvent;

export class TrafficLog {
  readonly events: LoggedEvent[] = [];

  constructor(readonly random: Random) {}

  /** A successful exchange: logs it and returns the session its later calls run in. */
  assumeRole(call: WebIdentityCall): RoleSession {
    const accessKeyId = temporaryAccessKeyId(this.random);
    const record = assumeRoleWithWebIdentityRecord(this.random, call, { accessKeyId });
    this.cloudTrail(call.time, call.role.account, call.region, 'Management', record);
    return {
      role: call.role,
      sessionName: call.sessionName,
      accessKeyId,
      providerArn: call.providerArn,
      createdAt: call.time,
    };
  }

  failedAssumeRole(call: WebIdentityCall, errorCode: string, errorMessage: string): void {
    const record = assumeRoleWithWebIdentityRecord(this.random, call, { errorCode, errorMessage });
    this.cloudTrail(call.time, call.role.account, call.region, 'Management', record);
  }

  s3(call: S3Call): void {
    this.cloudTrail(
      call.time,
      call.session.role.account,
      call.region,
      'Data',
      s3DataEventRecord(this.random, call),
    );
  }

  /** A management event of the account's own (an IAM change, say), delivered as the trail delivers it. */
  management(time: number, account: string, region: string, record: JsonObject): void {
    this.cloudTrail(time, account, region, 'Management', record);
  }

  logEntry(time: number, entry: JsonObject): void {
    this.events.push({ cloud: 'gcp', time, entry });
  }

  private cloudTrail(
    time: number,
    account: string,
    region: string,
    category: CloudTrailEvent['category'],
    record: JsonObject,
  ): void {
    this.events.push({ cloud: 'aws', time, account, region, category, record });
  }
}
