/**
 * The statements that record a certificate's life (DESIGN.md: issuing and revoking are themselves statements).
 *
 * - Issued: `http://id.tincanapi.com/verb/earned` ("the actor has earned or has been awarded the object", the
 *   Tin Can registry, also in ADL's vocabulary), actor the learner, object the certificate as an activity of type
 *   `http://id.tincanapi.com/activitytype/certificate`, context the registration with the course as parent,
 *   timestamp when the rule was met.
 * - Revoked: `http://activitystrea.ms/schema/1.0/retract` (Activity Streams 1.0 base schema: "the actor has
 *   retracted the object… a previously published activity"), actor the admin who revoked it, the reason as
 *   `result.response`, and `context.statement` pointing at the `earned` statement. Not voiding: the learner did earn
 *   it (xAPI 1.0.3 §2.2.3 voids statements that should not have been recorded); the academy withdraws it later. It
 *   carries no registration: it is the academy's act, not part of the learner's enrolment (the `earned` statement
 *   it points to has the registration).
 *
 * The progress projection does not fold either (progress-projection.ts): they are derived from it.
 *
 * Both go through the LRS's write path (`prepare`) under the records context's own principal.
 */
import type { LrsPrincipal } from '../../access/index.js';

export const CERTIFICATE_VERBS = {
  earned: 'http://id.tincanapi.com/verb/earned',
  retracted: 'http://activitystrea.ms/schema/1.0/retract',
} as const;

export const CERTIFICATE_ACTIVITY_TYPE = 'http://id.tincanapi.com/activitytype/certificate';

/** The principal certificates' statements are written under (like the runtime's LMS principal). */
export const certificatesPrincipal = (publicUrl: string): LrsPrincipal => ({
  credentialId: 'certificates',
  name: 'cadet certificates',
  scopes: ['statements/write'],
  authority: { objectType: 'Agent', name: 'cadet certificates', account: { homePage: publicUrl, name: 'certificates' } },
});

const agentOf = (publicUrl: string, user: { readonly id: string; readonly name: string }) => ({
  objectType: 'Agent',
  name: user.name,
  account: { homePage: publicUrl, name: user.id },
});

const certificateActivity = (iri: string, number: string) => ({
  objectType: 'Activity',
  id: iri,
  definition: { type: CERTIFICATE_ACTIVITY_TYPE, name: { en: `Certificate ${number}` } },
});

export function earnedStatement(input: {
  readonly id: string;
  readonly publicUrl: string;
  readonly certificateIri: string;
  readonly number: string;
  readonly learner: { readonly id: string; readonly name: string };
  readonly registrationId: string;
  readonly courseActivityId: string;
  readonly completedMs: number;
  readonly score: number | null;
}): object {
  return {
    id: input.id,
    actor: agentOf(input.publicUrl, input.learner),
    verb: { id: CERTIFICATE_VERBS.earned, display: { en: 'earned' } },
    object: certificateActivity(input.certificateIri, input.number),
    ...(input.score !== null && { result: { score: { scaled: Math.max(-1, Math.min(1, input.score)) } } }),
    context: {
      registration: input.registrationId,
      platform: 'cadet',
      contextActivities: { parent: [{ objectType: 'Activity', id: input.courseActivityId }] },
    },
    timestamp: new Date(input.completedMs).toISOString(),
  };
}

export function retractedStatement(input: {
  readonly id: string;
  readonly publicUrl: string;
  readonly certificateIri: string;
  readonly number: string;
  readonly admin: { readonly id: string; readonly name: string };
  readonly reason: string;
  readonly earnedStatementId: string;
  readonly courseActivityId: string | null;
  readonly atMs: number;
}): object {
  return {
    id: input.id,
    actor: agentOf(input.publicUrl, input.admin),
    verb: { id: CERTIFICATE_VERBS.retracted, display: { en: 'retracted' } },
    object: certificateActivity(input.certificateIri, input.number),
    result: { response: input.reason },
    context: {
      platform: 'cadet',
      statement: { objectType: 'StatementRef', id: input.earnedStatementId },
      ...(input.courseActivityId !== null && { contextActivities: { parent: [{ objectType: 'Activity', id: input.courseActivityId }] } }),
    },
    timestamp: new Date(input.atMs).toISOString(),
  };
}
