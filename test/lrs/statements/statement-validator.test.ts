import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  validateActor,
  validateStatement,
} from '../../../src/lrs/statements/statement-validator.js';
import type { XapiVersion } from '../../../src/lrs/statements/statement-validator.js';
import {
  getAjv,
  isIri,
  isIso8601Duration,
  isIso8601Timestamp,
  isLanguageTag,
  isMailtoIri,
  isUuid,
} from '../../../src/shared/json-schema.js';
import { sharedFixture } from '../../fixtures/shared-fixtures.js';

type Json = Record<string, any>;

const ACTIVITY_ID = 'http://www.example.com/meetings/occurances/34534';
const VOIDED = 'http://adlnet.gov/expapi/verbs/voided';
const UUID = 'fd41c918-b88b-4b20-a0a5-a4c32391aaa0';
const SHA1 = 'cd9b00a5611f94eaa7b1661edab976068e364975';
const SHA256 = '495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a';

/** A fresh, minimal valid statement. */
function base(): Json {
  return {
    actor: { objectType: 'Agent', name: 'xAPI mbox', mbox: 'mailto:xapi@adlnet.gov' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/attended', display: { 'en-US': 'attended' } },
    object: { objectType: 'Activity', id: ACTIVITY_ID },
  };
}

/** base() changed by `mutate`. */
function stmt(mutate: (s: Json) => void): Json {
  const s = base();
  mutate(s);
  return s;
}

function subStatement(): Json {
  return {
    objectType: 'SubStatement',
    actor: { mbox_sha1sum: SHA1 },
    verb: { id: 'http://adlnet.gov/expapi/verbs/reported' },
    object: { id: ACTIVITY_ID },
  };
}

function attachment(): Json {
  return {
    usageType: 'http://example.com/attachment-usage/test',
    display: { 'en-US': 'A test attachment' },
    description: { 'en-US': 'A test attachment (description)' },
    contentType: 'text/plain; charset=ascii',
    length: 27,
    sha2: SHA256,
    fileUrl: 'http://over.there.com/file.txt',
  };
}

const anonymousGroup = (): Json => ({
  objectType: 'Group',
  member: [{ mbox: 'mailto:a@example.com' }, { account: { homePage: 'http://example.com', name: 'b' } }],
});

// ---------------------------------------------------------------------------
// Valid statements
// ---------------------------------------------------------------------------

const valid: Array<[string, Json, XapiVersion?]> = [
  ['minimal statement', base()],
  ['activity without objectType', stmt((s) => { s.object = { id: ACTIVITY_ID }; })],
  ['agent without objectType, mbox_sha1sum', stmt((s) => { s.actor = { mbox_sha1sum: SHA1 }; })],
  ['agent with openid', stmt((s) => { s.actor = { openid: 'http://openid.example.org/12345' }; })],
  ['agent with account', stmt((s) => { s.actor = { account: { homePage: 'http://www.example.com', name: 'xAPI account name' } }; })],
  ['id, timestamp, stored, version 1.0.3', stmt((s) => {
    s.id = UUID.toUpperCase();
    s.timestamp = '2013-05-18T05:32:34.804+00:00';
    s.stored = '2013-05-18T05:32:34.804Z';
    s.version = '1.0.3';
  })],
  ['version 1.0 and 1.0.9', stmt((s) => { s.version = '1.0'; })],
  ['future timestamp without milliseconds', stmt((s) => { s.timestamp = '2031-11-28T19:03:26Z'; })],
  ['anonymous group actor', stmt((s) => { s.actor = anonymousGroup(); })],
  ['identified group without members', stmt((s) => { s.actor = { objectType: 'Group', name: 'g', mbox: 'mailto:g@example.com' }; })],
  ['identified group with members', stmt((s) => { s.actor = { ...anonymousGroup(), openid: 'http://openid.example.org/g' }; })],
  ['agent as object', stmt((s) => { s.object = { objectType: 'Agent', mbox: 'mailto:o@example.com' }; })],
  ['group as object', stmt((s) => { s.object = { objectType: 'Group', account: { homePage: 'http://example.com', name: 'g' } }; })],
  ['statement ref as object', stmt((s) => { s.object = { objectType: 'StatementRef', id: UUID }; })],
  ['voiding statement', stmt((s) => { s.verb = { id: VOIDED }; s.object = { objectType: 'StatementRef', id: UUID }; })],
  ['sub-statement with result and context', stmt((s) => {
    s.object = {
      ...subStatement(),
      result: { success: true },
      context: { registration: UUID, revision: 'r1', platform: 'p', contextActivities: { parent: { id: ACTIVITY_ID } } },
      timestamp: '2013-05-18T05:32:34.804Z',
    };
  })],
  ['sub-statement about a StatementRef', stmt((s) => { s.object = { ...subStatement(), object: { objectType: 'StatementRef', id: UUID } }; })],
  ['full activity definition with extensions (null, "", {})', stmt((s) => {
    s.object.definition = {
      name: { 'en-GB': 'example meeting', 'zh-Hans-CN': '会议' },
      description: { 'sr-Latn-RS': 'opis' },
      type: 'http://adlnet.gov/expapi/activities/meeting',
      moreInfo: 'http://virtualmeeting.example.com/345256',
      extensions: { 'http://example.com/a': null, 'http://example.com/b': '', 'http://example.com/c': {}, 'urn:x:d': [1] },
    };
  })],
  ['choice interaction', stmt((s) => {
    s.object.definition = {
      interactionType: 'choice',
      correctResponsesPattern: ['golf[,]tetris'],
      choices: [{ id: 'golf', description: { 'en-US': 'Golf' } }, { id: 'tetris' }],
    };
  })],
  ['sequencing interaction with choices', stmt((s) => {
    s.object.definition = { interactionType: 'sequencing', choices: [{ id: 'a' }, { id: 'b' }] };
  })],
  ['likert interaction', stmt((s) => { s.object.definition = { interactionType: 'likert', scale: [{ id: 'likert_0' }] }; })],
  ['matching interaction', stmt((s) => {
    s.object.definition = { interactionType: 'matching', source: [{ id: 'ben' }], target: [{ id: '1' }], correctResponsesPattern: ['ben[.]1'] };
  })],
  ['performance interaction', stmt((s) => { s.object.definition = { interactionType: 'performance', steps: [{ id: 'pong' }] }; })],
  ['other interaction types with correctResponsesPattern', stmt((s) => {
    s.object.definition = { interactionType: 'numeric', correctResponsesPattern: ['4[:]'] };
  })],
  ['result with score and duration', stmt((s) => {
    s.result = {
      score: { scaled: -1, raw: 0.5, min: 0.5, max: 100.25 },
      success: false,
      completion: true,
      response: 'We agreed on some example actions.',
      duration: 'P3Y1M29DT4H35M59.14S',
      extensions: { 'http://example.com/r': { nested: true } },
    };
  })],
  ['result duration in weeks', stmt((s) => { s.result = { duration: 'P4W' }; })],
  ['full context', stmt((s) => {
    s.context = {
      registration: UUID,
      instructor: { objectType: 'Agent', mbox: 'mailto:i@example.com' },
      team: anonymousGroup(),
      contextActivities: {
        parent: [{ id: ACTIVITY_ID }],
        grouping: { objectType: 'Activity', id: 'http://example.com/g' },
        category: [{ id: 'http://example.com/c', definition: { type: 'http://example.com/t' } }],
        other: [],
      },
      revision: 'rev_10_3_2',
      platform: 'Example virtual meeting software',
      language: 'tlh',
      statement: { objectType: 'StatementRef', id: UUID },
      extensions: { 'http://example.com/e': 600 },
    };
  })],
  ['group instructor', stmt((s) => { s.context = { instructor: anonymousGroup() }; })],
  ['authority agent', stmt((s) => { s.authority = { objectType: 'Agent', mbox: 'mailto:auth@example.com' }; })],
  ['authority OAuth group of two', stmt((s) => { s.authority = anonymousGroup(); })],
  ['attachments', stmt((s) => { s.attachments = [attachment(), { ...attachment(), fileUrl: undefined, length: 0 }]; })],
  ['unicode language map values', stmt((s) => { s.verb.display = { 'es-419': 'asistió', ja: '出席した', 'x-klingon': 'qaStaHvIS' }; })],
  ['2.0.0 version string under 2.0.0', stmt((s) => { s.version = '2.0.0'; }), '2.0.0'],
  ['2.0.0 contextAgents / contextGroups', stmt((s) => {
    s.context = {
      contextAgents: [{ objectType: 'contextAgent', agent: { mbox: 'mailto:c@example.com' }, relevantTypes: ['http://example.com/type'] }],
      contextGroups: [{ objectType: 'contextGroup', group: anonymousGroup() }],
    };
  }), '2.0.0'],
];

t.test('valid statements are accepted', async (t) => {
  for (const [name, statement, version] of valid) {
    // JSON round trip: drops `undefined` members like a parsed request body would.
    const parsed = JSON.parse(JSON.stringify(statement)) as unknown;
    t.equal(validateStatement(parsed, version), null, name);
  }
});

// ---------------------------------------------------------------------------
// Invalid statements: [name, statement, expected path, message fragment, version?]
// ---------------------------------------------------------------------------

const invalid: Array<[string, unknown, string, string, XapiVersion?]> = [
  // structure
  ['not an object', [], '', 'statement must be an object'],
  ['null', null, '', 'statement must be an object'],
  ['missing actor', stmt((s) => { delete s.actor; }), '/actor', 'actor is required'],
  ['missing verb', stmt((s) => { delete s.verb; }), '/verb', 'verb is required'],
  ['missing object', stmt((s) => { delete s.object; }), '/object', 'object is required'],
  ['unknown top-level property', stmt((s) => { s.foo = 1; }), '/foo', 'foo is not allowed'],
  ['property names are case-sensitive', stmt((s) => { s.Version = '1.0.3'; }), '/Version', 'Version is not allowed'],
  ['statement objectType is not a statement property', stmt((s) => { s.objectType = 'Statement'; }), '/objectType', 'is not allowed'],
  ['id not a UUID', stmt((s) => { s.id = 'MA97B177-9383-4934-8543-0F91A7A02836'; }), '/id', 'id must be a UUID'],
  ['id too long', stmt((s) => { s.id = 'AA97B177-9383-4934-8543-0F91A7A028368'; }), '/id', 'id must be a UUID'],
  ['id numeric', stmt((s) => { s.id = 12345; }), '/id', 'id must be a UUID'],
  // actor
  ['agent without IFI', stmt((s) => { s.actor = { objectType: 'Agent', name: 'x' }; }), '/actor', 'actor must have an inverse functional identifier'],
  ['agent with two IFIs', stmt((s) => { s.actor.openid = 'http://openid.example.org/1'; }), '/actor', 'exactly one inverse functional identifier'],
  ['mbox without mailto:', stmt((s) => { s.actor.mbox = 'xapi@adlnet.gov'; }), '/actor/mbox', 'actor.mbox must be a mailto: IRI'],
  ['mbox mailto: without address', stmt((s) => { s.actor.mbox = 'mailto:should.fail.com'; }), '/actor/mbox', 'mailto: IRI'],
  ['mbox_sha1sum too short', stmt((s) => { s.actor = { mbox_sha1sum: 'cd9b00a5' }; }), '/actor/mbox_sha1sum', '40 hex characters'],
  ['openid not an IRI', stmt((s) => { s.actor = { openid: 'open.id.com/testUser' }; }), '/actor/openid', 'actor.openid must be an IRI'],
  ['account without homePage', stmt((s) => { s.actor = { account: { name: 'n' } }; }), '/actor/account/homePage', 'actor.account.homePage is required'],
  ['account without name', stmt((s) => { s.actor = { account: { homePage: 'http://example.com' } }; }), '/actor/account/name', 'actor.account.name is required'],
  ['account homePage not an IRL', stmt((s) => { s.actor = { account: { homePage: 'ab=c://should.fail.com', name: 'n' } }; }), '/actor/account/homePage', 'must be an IRL'],
  ['account name not a string', stmt((s) => { s.actor = { account: { homePage: 'http://example.com', name: { key: 'value' } } }; }), '/actor/account/name', 'must be a string'],
  ['actor name numeric', stmt((s) => { s.actor.name = 123; }), '/actor/name', 'actor.name must be a string'],
  ['actor objectType wrong case', stmt((s) => { s.actor.objectType = 'agent'; }), '/actor/objectType', 'must be "Agent" or "Group"'],
  ['unknown agent property', stmt((s) => { s.actor.age = 3; }), '/actor/age', 'actor.age is not allowed'],
  ['anonymous group without member', stmt((s) => { s.actor = { objectType: 'Group', name: 'g' }; }), '/actor/member', 'anonymous Group'],
  ['anonymous group with empty member list', stmt((s) => { s.actor = { objectType: 'Group', member: [] }; }), '/actor/member', 'anonymous Group'],
  ['group member not an array', stmt((s) => { s.actor = { objectType: 'Group', member: { mbox: 'mailto:a@b.c' } }; }), '/actor/member', 'must be an array'],
  ['nested group member', stmt((s) => {
    s.actor = { objectType: 'Group', member: [{ objectType: 'Group', mbox: 'mailto:g@example.com' }] };
  }), '/actor/member/0/objectType', 'group members must be Agents'],
  ['group member without IFI', stmt((s) => { s.actor = { objectType: 'Group', member: [{ name: 'x' }] }; }), '/actor/member/0', 'inverse functional identifier'],
  ['identified group with two IFIs', stmt((s) => {
    s.actor = { objectType: 'Group', mbox: 'mailto:g@example.com', openid: 'http://openid.example.org/g' };
  }), '/actor', 'at most one inverse functional identifier'],
  // verb
  ['verb without id', stmt((s) => { delete s.verb.id; }), '/verb/id', 'verb.id is required'],
  ['verb id without scheme', stmt((s) => { s.verb.id = 'adlnet.gov/expapi/verbs/attended'; }), '/verb/id', 'verb.id must be an IRI'],
  ['verb id with invalid scheme', stmt((s) => { s.verb.id = 'ab=c://should.fail.com'; }), '/verb/id', 'must be an IRI'],
  ['verb id with a space', stmt((s) => { s.verb.id = 'http://example.com/a verb'; }), '/verb/id', 'must be an IRI'],
  ['verb display a string', stmt((s) => { s.verb.display = 'attended'; }), '/verb/display', 'verb.display must be a language map'],
  ['verb display bad language tag', stmt((s) => { s.verb.display = { a12345678: 'x' }; }), '/verb/display/a12345678', 'must be a language tag'],
  ['verb display value not a string', stmt((s) => { s.verb.display = { 'en-US': null }; }), '/verb/display/en-US', 'must be a string'],
  ['voiding statement about an activity', stmt((s) => { s.verb.id = VOIDED; }), '/object', 'must be a StatementRef'],
  // object
  ['object objectType wrong case', stmt((s) => { s.object.objectType = 'activity'; }), '/object/objectType', 'must be one of Activity, Agent, Group, SubStatement, StatementRef'],
  ['activity without id', stmt((s) => { delete s.object.id; }), '/object/id', 'object.id is required'],
  ['activity id not an IRI', stmt((s) => { s.object.id = 'www.example.com/meetings'; }), '/object/id', 'object.id must be an IRI'],
  ['unknown activity property', stmt((s) => { s.object.name = 'x'; }), '/object/name', 'object.name is not allowed'],
  ['agent object without objectType', stmt((s) => { s.object = { mbox: 'mailto:o@example.com' }; }), '/object', 'must have objectType "Agent" or "Group"'],
  ['group object without objectType', stmt((s) => { s.object = { member: [{ mbox: 'mailto:o@example.com' }] }; }), '/object', 'must have objectType'],
  ['agent object with two IFIs', stmt((s) => {
    s.object = { objectType: 'Agent', mbox: 'mailto:o@example.com', mbox_sha1sum: SHA1 };
  }), '/object', 'exactly one inverse functional identifier'],
  ['statement ref without id', stmt((s) => { s.object = { objectType: 'StatementRef' }; }), '/object/id', 'object.id is required'],
  ['statement ref id not a UUID', stmt((s) => { s.object = { objectType: 'StatementRef', id: 'should fail' }; }), '/object/id', 'must be a UUID'],
  ['definition name a string', stmt((s) => { s.object.definition = { name: 'x' }; }), '/object/definition/name', 'must be a language map'],
  ['definition description bad language tag', stmt((s) => {
    s.object.definition = { description: { 'zh-z-aaa-z-bbb-c-ccc': 'x' } };
  }), '/object/definition/description/zh-z-aaa-z-bbb-c-ccc', 'must be a language tag'],
  ['definition type not an IRI', stmt((s) => { s.object.definition = { type: 'meeting' }; }), '/object/definition/type', 'must be an IRI'],
  ['definition moreInfo not an IRL', stmt((s) => { s.object.definition = { moreInfo: 'virtualmeeting.example.com/345256' }; }), '/object/definition/moreInfo', 'must be an IRL'],
  ['definition extension key not an IRI', stmt((s) => { s.object.definition = { extensions: { 'not.valid.com/extension': 1 } }; }), '/object/definition/extensions/not.valid.com~1extension', 'key "not.valid.com/extension" must be an IRI'],
  ['extensions not an object', stmt((s) => { s.object.definition = { extensions: 'x' }; }), '/object/definition/extensions', 'must be an object whose keys are IRIs'],
  ['interactionType wrong case', stmt((s) => { s.object.definition = { interactionType: 'choiCe' }; }), '/object/definition/interactionType', 'must be one of'],
  ['interactionType numeric', stmt((s) => { s.object.definition = { interactionType: 12345 }; }), '/object/definition/interactionType', 'must be one of'],
  ['correctResponsesPattern without interactionType', stmt((s) => {
    s.object.definition = { correctResponsesPattern: ['true'] };
  }), '/object/definition/interactionType', 'interactionType is required when object.definition.correctResponsesPattern is present'],
  ['choices without interactionType', stmt((s) => { s.object.definition = { choices: [{ id: 'a' }] }; }), '/object/definition/interactionType', 'is required'],
  ['choices with likert', stmt((s) => {
    s.object.definition = { interactionType: 'likert', choices: [{ id: 'a' }] };
  }), '/object/definition/choices', 'not allowed when interactionType is "likert"'],
  ['scale with choice', stmt((s) => { s.object.definition = { interactionType: 'choice', scale: [{ id: 'a' }] }; }), '/object/definition/scale', 'not allowed'],
  ['source with performance', stmt((s) => { s.object.definition = { interactionType: 'performance', source: [{ id: 'a' }] }; }), '/object/definition/source', 'not allowed'],
  ['steps with true-false', stmt((s) => { s.object.definition = { interactionType: 'true-false', steps: [{ id: 'a' }] }; }), '/object/definition/steps', 'not allowed'],
  ['duplicate interaction component ids', stmt((s) => {
    s.object.definition = { interactionType: 'choice', choices: [{ id: 'a' }, { id: 'a' }] };
  }), '/object/definition/choices/1/id', 'must be distinct'],
  ['interaction component without id', stmt((s) => { s.object.definition = { interactionType: 'choice', choices: [{}] }; }), '/object/definition/choices/0/id', 'is required'],
  ['interaction component unknown property', stmt((s) => {
    s.object.definition = { interactionType: 'choice', choices: [{ id: 'a', name: { en: 'x' } }] };
  }), '/object/definition/choices/0/name', 'is not allowed'],
  ['correctResponsesPattern not strings', stmt((s) => {
    s.object.definition = { interactionType: 'numeric', correctResponsesPattern: [4] };
  }), '/object/definition/correctResponsesPattern/0', 'correctResponsesPattern[0] must be a string'],
  // sub-statements
  ['sub-statement with id', stmt((s) => { s.object = { ...subStatement(), id: UUID }; }), '/object/id', 'object.id is not allowed in a SubStatement'],
  ['sub-statement with stored', stmt((s) => { s.object = { ...subStatement(), stored: '2013-05-18T05:32:34.804Z' }; }), '/object/stored', 'not allowed in a SubStatement'],
  ['sub-statement with version', stmt((s) => { s.object = { ...subStatement(), version: '1.0.3' }; }), '/object/version', 'not allowed in a SubStatement'],
  ['sub-statement with authority', stmt((s) => {
    s.object = { ...subStatement(), authority: { mbox: 'mailto:a@example.com' } };
  }), '/object/authority', 'not allowed in a SubStatement'],
  ['nested sub-statement', stmt((s) => { s.object = { ...subStatement(), object: subStatement() }; }), '/object/object/objectType', 'must not contain a SubStatement'],
  ['sub-statement without verb', stmt((s) => { s.object = subStatement(); delete s.object.verb; }), '/object/verb', 'object.verb is required'],
  ['sub-statement objectType wrong case', stmt((s) => { s.object = { ...subStatement(), objectType: 'substatement' }; }), '/object/objectType', 'must be one of'],
  ['sub-statement actor with two IFIs', stmt((s) => {
    s.object = subStatement();
    s.object.actor.mbox = 'mailto:a@example.com';
  }), '/object/actor', 'exactly one inverse functional identifier'],
  ['sub-statement context.platform with agent object', stmt((s) => {
    s.object = { ...subStatement(), object: { objectType: 'Agent', mbox: 'mailto:o@example.com' }, context: { platform: 'p' } };
  }), '/object/context/platform', 'only allowed when the object is an Activity'],
  ['sub-statement timestamp invalid', stmt((s) => { s.object = { ...subStatement(), timestamp: '01/011/2015' }; }), '/object/timestamp', 'ISO 8601 timestamp'],
  // result
  ['score scaled above 1', stmt((s) => { s.result = { score: { scaled: 1.01 } }; }), '/result/score/scaled', 'between -1 and 1'],
  ['score scaled below -1', stmt((s) => { s.result = { score: { scaled: -1.00001 } }; }), '/result/score/scaled', 'between -1 and 1'],
  ['score min above max', stmt((s) => { s.result = { score: { min: 5, max: 1 } }; }), '/result/score/max', 'result.score.max must be greater than result.score.min'],
  ['score min equal to max', stmt((s) => { s.result = { score: { min: 1, max: 1 } }; }), '/result/score/max', 'greater than'],
  ['score raw below min', stmt((s) => { s.result = { score: { raw: 0.5, min: 1, max: 100 } }; }), '/result/score/raw', 'must not be less than result.score.min'],
  ['score raw above max', stmt((s) => { s.result = { score: { raw: 101, max: 100 } }; }), '/result/score/raw', 'must not be greater than result.score.max'],
  ['score a number', stmt((s) => { s.result = { score: 12345 }; }), '/result/score', 'result.score must be an object'],
  ['score raw a string', stmt((s) => { s.result = { score: { raw: '95' } }; }), '/result/score/raw', 'must be a number'],
  ['unknown score property', stmt((s) => { s.result = { score: { percent: 95 } }; }), '/result/score/percent', 'is not allowed'],
  ['success a string', stmt((s) => { s.result = { success: 'true' }; }), '/result/success', 'result.success must be a boolean'],
  ['response numeric', stmt((s) => { s.result = { response: 1 }; }), '/result/response', 'must be a string'],
  ['duration not ISO 8601', stmt((s) => { s.result = { duration: 'PA1H0M0S' }; }), '/result/duration', 'result.duration must be an ISO 8601 duration'],
  ['duration mixing weeks and days', stmt((s) => { s.result = { duration: 'P4W1D' }; }), '/result/duration', 'ISO 8601 duration'],
  ['result extension key not an IRI', stmt((s) => { s.result = { extensions: { 'example.com/extension/wrong': 1 } }; }), '/result/extensions/example.com~1extension~1wrong', 'must be an IRI'],
  // context
  ['registration not a UUID', stmt((s) => { s.context = { registration: 'should fail' }; }), '/context/registration', 'context.registration must be a UUID'],
  ['context.revision with an agent object', stmt((s) => {
    s.object = { objectType: 'Agent', mbox: 'mailto:o@example.com' };
    s.context = { revision: 'r' };
  }), '/context/revision', 'context.revision is only allowed when the object is an Activity'],
  ['context.platform with a statement ref object', stmt((s) => {
    s.object = { objectType: 'StatementRef', id: UUID };
    s.context = { platform: 'p' };
  }), '/context/platform', 'only allowed when the object is an Activity'],
  ['context.platform with a sub-statement object', stmt((s) => { s.object = subStatement(); s.context = { platform: 'p' }; }), '/context/platform', 'only allowed'],
  ['context.revision numeric', stmt((s) => { s.context = { revision: 1 }; }), '/context/revision', 'must be a string'],
  ['context.language invalid', stmt((s) => { s.context = { language: 'a12345' }; }), '/context/language', 'context.language must be a language tag'],
  ['team is an agent', stmt((s) => { s.context = { team: { objectType: 'Agent', mbox: 'mailto:t@example.com' } }; }), '/context/team/objectType', 'the team must be a Group'],
  ['team anonymous without members', stmt((s) => { s.context = { team: { objectType: 'Group', name: 't' } }; }), '/context/team/member', 'anonymous Group'],
  ['instructor with two IFIs', stmt((s) => {
    s.context = { instructor: { mbox: 'mailto:i@example.com', openid: 'http://openid.example.org/i' } };
  }), '/context/instructor', 'exactly one inverse functional identifier'],
  ['instructor a string', stmt((s) => { s.context = { instructor: 'x' }; }), '/context/instructor', 'must be an object'],
  ['contextActivities unknown key', stmt((s) => { s.context = { contextActivities: { consequences: { id: ACTIVITY_ID } } }; }), '/context/contextActivities/consequences', 'is not allowed'],
  ['contextActivities value a string', stmt((s) => { s.context = { contextActivities: { parent: ACTIVITY_ID } }; }), '/context/contextActivities/parent', 'an Activity or an array of Activities'],
  ['contextActivities array item invalid', stmt((s) => {
    s.context = { contextActivities: { other: [{ id: ACTIVITY_ID }, { key: 'should fail' }] } };
  }), '/context/contextActivities/other/1/id', 'is required'],
  ['contextActivities activity with bad interaction', stmt((s) => {
    s.context = { contextActivities: { grouping: { id: ACTIVITY_ID, definition: { steps: [{ id: 's' }] } } } };
  }), '/context/contextActivities/grouping/definition/interactionType', 'is required'],
  ['context.statement not a StatementRef', stmt((s) => { s.context = { statement: { objectType: 'statementref', id: UUID } }; }), '/context/statement/objectType', 'must be "StatementRef"'],
  ['context extension key not an IRI', stmt((s) => { s.context = { extensions: { 'example.com/wrong': 1 } }; }), '/context/extensions/example.com~1wrong', 'must be an IRI'],
  ['contextAgents under 1.0.3', stmt((s) => {
    s.context = { contextAgents: [{ objectType: 'contextAgent', agent: { mbox: 'mailto:c@example.com' } }] };
  }), '/context/contextAgents', 'not allowed in xAPI 1.0.3'],
  ['contextAgents agent is a group (2.0.0)', stmt((s) => {
    s.context = { contextAgents: [{ objectType: 'contextAgent', agent: anonymousGroup() }] };
  }), '/context/contextAgents/0/agent/objectType', 'must be "Agent"', '2.0.0'],
  ['contextGroups relevantTypes empty (2.0.0)', stmt((s) => {
    s.context = { contextGroups: [{ objectType: 'contextGroup', group: anonymousGroup(), relevantTypes: [] }] };
  }), '/context/contextGroups/0/relevantTypes', 'must not be empty', '2.0.0'],
  // timestamps and version
  ['timestamp not a date', stmt((s) => { s.timestamp = '01/011/2015'; }), '/timestamp', 'timestamp must be an ISO 8601 timestamp'],
  ['timestamp with -00:00 offset', stmt((s) => { s.timestamp = '2008-09-15T15:53:00.601-00:00'; }), '/timestamp', 'ISO 8601 timestamp'],
  ['timestamp with -0000 offset', stmt((s) => { s.timestamp = '2008-09-15T15:53:00.601-0000'; }), '/timestamp', 'ISO 8601 timestamp'],
  ['timestamp with -00 offset', stmt((s) => { s.timestamp = '2008-09-15T15:53:00.601-00'; }), '/timestamp', 'ISO 8601 timestamp'],
  ['timestamp on 30 February', stmt((s) => { s.timestamp = '2015-02-30T00:00:00Z'; }), '/timestamp', 'ISO 8601 timestamp'],
  ['stored not a date', stmt((s) => { s.stored = 'yesterday'; }), '/stored', 'stored must be an ISO 8601 timestamp'],
  ['version not a version', stmt((s) => { s.version = 'should fail'; }), '/version', 'version must be a version string'],
  ['version 0.9.9', stmt((s) => { s.version = '0.9.9'; }), '/version', 'version must be 1.0.x'],
  ['version 1.1.0', stmt((s) => { s.version = '1.1.0'; }), '/version', 'version must be 1.0.x'],
  ['version 2.0.0 under 1.0.3', stmt((s) => { s.version = '2.0.0'; }), '/version', 'version must be 1.0.x'],
  ['version 3.0.0 under 2.0.0', stmt((s) => { s.version = '3.0.0'; }), '/version', '1.0.x or 2.0.x', '2.0.0'],
  // authority
  ['authority identified group', stmt((s) => { s.authority = { ...anonymousGroup(), mbox: 'mailto:g@example.com' }; }), '/authority', 'an identified Group is not allowed'],
  ['authority group of three', stmt((s) => {
    s.authority = anonymousGroup();
    s.authority.member.push({ mbox: 'mailto:c@example.com' });
  }), '/authority/member', 'exactly two Agents'],
  ['authority group of one', stmt((s) => { s.authority = { objectType: 'Group', member: [{ mbox: 'mailto:a@example.com' }] }; }), '/authority/member', 'exactly two Agents'],
  ['authority agent without IFI', stmt((s) => { s.authority = { objectType: 'Agent' }; }), '/authority', 'inverse functional identifier'],
  // attachments
  ['attachments not an array', stmt((s) => { s.attachments = attachment(); }), '/attachments', 'attachments must be an array'],
  ['attachment a string', stmt((s) => { s.attachments = ['x']; }), '/attachments/0', 'attachments[0] must be an object'],
  ['attachment without sha2', stmt((s) => { const a = attachment(); delete a.sha2; s.attachments = [a]; }), '/attachments/0/sha2', 'attachments[0].sha2 is required'],
  ['attachment without display', stmt((s) => { const a = attachment(); delete a.display; s.attachments = [a]; }), '/attachments/0/display', 'is required'],
  ['attachment without usageType', stmt((s) => { const a = attachment(); delete a.usageType; s.attachments = [a]; }), '/attachments/0/usageType', 'is required'],
  ['attachment without contentType', stmt((s) => { const a = attachment(); delete a.contentType; s.attachments = [a]; }), '/attachments/0/contentType', 'is required'],
  ['attachment without length', stmt((s) => { const a = attachment(); delete a.length; s.attachments = [a]; }), '/attachments/0/length', 'is required'],
  ['attachment length not an integer', stmt((s) => { s.attachments = [{ ...attachment(), length: 2.5 }]; }), '/attachments/0/length', 'non-negative integer'],
  ['attachment length a string', stmt((s) => { s.attachments = [{ ...attachment(), length: '27' }]; }), '/attachments/0/length', 'non-negative integer'],
  ['attachment sha2 not hex', stmt((s) => { s.attachments = [{ ...attachment(), sha2: 'should fail' }]; }), '/attachments/0/sha2', 'SHA-2'],
  ['attachment usageType not an IRI', stmt((s) => {
    s.attachments = [{ ...attachment(), usageType: 'example.com/attachment-usage/test' }];
  }), '/attachments/0/usageType', 'must be an IRI'],
  ['attachment fileUrl not an IRL', stmt((s) => { s.attachments = [{ ...attachment(), fileUrl: 'over.there.com/file.txt' }]; }), '/attachments/0/fileUrl', 'must be an IRL'],
  ['attachment contentType numeric', stmt((s) => { s.attachments = [{ ...attachment(), contentType: 12345 }]; }), '/attachments/0/contentType', 'Internet Media Type'],
  ['attachment display bad language tag', stmt((s) => { s.attachments = [{ ...attachment(), display: { 'en-': 'x' } }]; }), '/attachments/0/display/en-', 'must be a language tag'],
];

t.test('invalid statements are rejected with the expected path and message', async (t) => {
  for (const [name, statement, path, fragment, version] of invalid) {
    const problem = validateStatement(statement, version);
    t.not(problem, null, `${name}: rejected`);
    if (problem === null) continue;
    t.equal(problem.path, path, `${name}: path`);
    t.match(problem.message, fragment, `${name}: message (${problem.message})`);
  }
});

t.test('validateStatement does not modify its input', async (t) => {
  const s = stmt((x) => { x.object = { ...subStatement(), result: { score: { raw: 1 } } }; });
  const copy = JSON.parse(JSON.stringify(s));
  validateStatement(s);
  t.same(s, copy);
});

// ---------------------------------------------------------------------------
// validateActor (the `agent` query/document parameter)
// ---------------------------------------------------------------------------

t.test('validateActor', async (t) => {
  const ok: Array<[string, unknown]> = [
    ['agent with mbox', { objectType: 'Agent', mbox: 'mailto:a@example.com' }],
    ['agent without objectType', { account: { homePage: 'http://example.com', name: 'n' } }],
    ['identified group', { objectType: 'Group', openid: 'http://openid.example.org/g' }],
    ['anonymous group', anonymousGroup()],
  ];
  for (const [name, value] of ok) t.equal(validateActor(value), null, name);

  const bad: Array<[string, unknown, string, string]> = [
    ['boolean', true, '', 'agent must be an object'],
    ['string', 'wrong', '', 'agent must be an object'],
    ['no IFI', { name: 'x' }, '', 'agent must have an inverse functional identifier'],
    ['two IFIs', { mbox: 'mailto:a@example.com', mbox_sha1sum: SHA1 }, '', 'exactly one'],
    ['bad mbox', { mbox: 'a@example.com' }, '/mbox', 'agent.mbox must be a mailto: IRI'],
    ['objectType wrong case', { objectType: 'group', mbox: 'mailto:a@example.com' }, '/objectType', 'must be "Agent" or "Group"'],
    ['unknown property', { mbox: 'mailto:a@example.com', id: 1 }, '/id', 'agent.id is not allowed'],
    ['anonymous group without members', { objectType: 'Group' }, '/member', 'anonymous Group'],
  ];
  for (const [name, value, path, fragment] of bad) {
    const problem = validateActor(value);
    t.equal(problem?.path, path, `${name}: path`);
    t.match(problem?.message ?? '', fragment, `${name}: message`);
  }
});

// ---------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------

t.test('format checks', async (t) => {
  const table: Array<[string, (v: string) => boolean, string[], string[]]> = [
    ['iri', isIri,
      ['http://example.com/a', 'urn:uuid:fd41c918-b88b-4b20-a0a5-a4c32391aaa0', 'mailto:a@b.c', 'http://例子.测试/路径', 'tag:example.com,2024:x%20y'],
      ['', 'example.com/a', 'ab=c://should.fail.com', 'http:', 'http://a b', 'http://a\\b', '1http://x', 'http://x/%zz']],
    ['mailto-iri', isMailtoIri,
      ['mailto:xapi@adlnet.gov', 'MAILTO:a.b+c@example.co.uk'],
      ['xapi@adlnet.gov', 'mailto:', 'mailto:should.fail.com', 'http://should.fail.com', 'mailto:a b@example.com']],
    ['uuid', isUuid,
      [UUID, UUID.toUpperCase(), '00000000-0000-0000-0000-000000000000'],
      ['', 'fd41c918b88b4b20a0a5a4c32391aaa0', 'AA97B177-9383-4934-8543-0F91A7A028368', 'MA97B177-9383-4934-8543-0F91A7A02836']],
    ['language-tag', isLanguageTag,
      ['en', 'en-US', 'de-DE', 'zh-Hant', 'zh-Hans-CN', 'sr-Cyrl', 'sr-Latn-RS', 'es-419', 'tlh', 'ase', 'cmn', 'de-CH-1901', 'x-private', 'i-klingon', 'en-a-bbb-x-a-ccc', 'EN-us'],
      ['', 'e', 'en-', 'en_US', 'a12345', 'a12345678', 'zh-z-aaa-z-bbb-c-ccc', 'de-1901-1901', 'en-US-', '123']],
    ['iso8601-duration', isIso8601Duration,
      ['PT1H2M3.45S', 'P1D', 'P1W', 'P4W', 'PT1H0M0.1S', 'PT16559.14S', 'P3Y', 'P3Y1M29DT4H35M59.14S', 'PT0S', 'P0.5D'],
      ['', 'P', 'PT', 'P1DT', 'P4W1D', 'PA1H0M0S', '1H', 'PT0.5H1M', 'should fail', 'P-1D']],
    ['iso8601-timestamp', (v: string) => isIso8601Timestamp(v),
      ['2013-05-18T05:32:34.804Z', '2013-05-18T05:32:34.804+00:00', '2008-09-15T15:53:00.601+0530', '2008-09-15T15:53:00-05', '2012-02-29T00:00:00Z', '2013-05-18T05:32Z', '2013-05-18T05:32:34'],
      ['', '01/011/2015', 'should fail', '2013-05-18', '2008-09-15T15:53:00.601-00', '2008-09-15T15:53:00.601-0000', '2008-09-15T15:53:00.601-00:00', '2013-02-29T00:00:00Z', '2013-05-18T24:00:00Z', '2013-13-01T00:00:00Z']],
  ];
  for (const [format, check, good, bad] of table) {
    for (const v of good) t.ok(check(v), `${format} accepts ${JSON.stringify(v)}`);
    for (const v of bad) t.notOk(check(v), `${format} rejects ${JSON.stringify(v)}`);
  }
  t.notOk(isIso8601Timestamp('2013-05-18T05:32:34', { requireTimezone: true }), 'a timezone can be required');
});

t.test('getAjv loads every schema under schemas/ and is a singleton', async (t) => {
  const ajv = getAjv();
  t.equal(getAjv(), ajv);
  for (const name of ['statement-1.0.3', 'actor', 'agent', 'group', 'activity', 'sub-statement', 'context', 'result', 'attachment']) {
    t.ok(ajv.getSchema(`https://cadet.dev/schemas/xapi/${name}.json`), `${name}.json is loaded`);
  }
});

// ---------------------------------------------------------------------------
// Real example statements (SCORM profile)
// ---------------------------------------------------------------------------

const FIXTURES = sharedFixture('xapi', 'statements', 'scorm-profile');

t.test('SCORM profile example statements are accepted', async (t) => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();
  t.ok(files.length > 0, 'there are fixtures');
  for (const file of files) {
    const parsed = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as unknown;
    const statements = Array.isArray(parsed) ? parsed : [parsed];
    for (const [i, statement] of statements.entries()) {
      t.equal(validateStatement(statement), null, `${file}${statements.length > 1 ? ` #${i}` : ''}`);
    }
  }
});
