/** The questions of the test AU; cmi5.xml declares the course, block and AU ids. */

export const OWN_PASS_MARK = 0.8;
export const TEST_ID = 'knowledge-check';

const NOTICE_CHOICES = [
  { id: 'red', description: { 'en-US': 'Red Notice' } },
  { id: 'yellow', description: { 'en-US': 'Yellow Notice' } },
  { id: 'blue', description: { 'en-US': 'Blue Notice' } },
  { id: 'green', description: { 'en-US': 'Green Notice' } },
];

export const QUESTIONS = [
  { id: 'q1-missing-child', kind: 'choice', field: 'q1', correct: ['yellow'], choices: NOTICE_CHOICES,
    name: 'Missing child', description: 'A child has gone missing and may have been taken abroad. Which notice helps to find them?' },
  { id: 'q2-red-notice-warrant', kind: 'true-false', field: 'q2', correct: false,
    name: 'Red Notice and arrest warrants', description: 'A Red Notice is an international arrest warrant.' },
  { id: 'q3-notice-purposes', kind: 'matching', field: 'q3', correct: { black: 'unidentified-bodies', purple: 'modus-operandi', orange: 'imminent-threat' },
    source: [
      { id: 'black', description: { 'en-US': 'Black Notice' } },
      { id: 'purple', description: { 'en-US': 'Purple Notice' } },
      { id: 'orange', description: { 'en-US': 'Orange Notice' } },
    ],
    target: [
      { id: 'unidentified-bodies', description: { 'en-US': 'Information on unidentified bodies' } },
      { id: 'modus-operandi', description: { 'en-US': 'Methods, objects and hiding places used by criminals' } },
      { id: 'imminent-threat', description: { 'en-US': 'A serious and imminent threat to public safety' } },
    ],
    name: 'What each notice is for', description: 'Match each notice to its purpose.' },
  { id: 'q4-point-of-contact', kind: 'fill-in', field: 'q4', correct: ['bureau'],
    name: 'Point of contact', description: 'Each member country’s point of contact for Interpol is its National Central …' },
  { id: 'q5-hit-on-red-notice', kind: 'choice', field: 'q5', correct: ['confirm-with-ncb'],
    choices: [
      { id: 'confirm-with-ncb', description: { 'en-US': 'Contact the National Central Bureau to confirm the notice and the action requested' } },
      { id: 'release', description: { 'en-US': 'Let the person go: notices have no effect in your country' } },
      { id: 'hand-over', description: { 'en-US': 'Take the person to the border and hand them to the requesting country' } },
    ],
    name: 'A hit on a Red Notice', description: 'A roadside check returns a hit on a Red Notice. What do you do first?' },
];

/** Whether an answer (as read from the form) is right. */
export function isRight(question, answer) {
  switch (question.kind) {
    case 'true-false':
      return answer === question.correct;
    case 'fill-in':
      return question.correct.includes(String(answer[0] ?? '').trim().toLowerCase());
    case 'matching':
      return Object.keys(question.correct).every((k) => answer[k] === question.correct[k]);
    default:
      return answer.length === question.correct.length && answer.every((a) => question.correct.includes(a));
  }
}
