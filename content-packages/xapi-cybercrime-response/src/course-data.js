/** The course's identity, pages and questions; tincan.xml declares the same ids (checked by the tests). */

export const COURSE = {
  title: 'Cybercrime first response',
  activityId: 'https://cadet.dev/demo/xapi-cybercrime-response',
  passingScaled: 0.8,
};

export const PAGES = [
  { id: 'welcome', file: 'pages/01-welcome.html', title: 'Welcome' },
  { id: 'digital-scene', file: 'pages/02-digital-scene.html', title: 'The digital scene' },
  { id: 'live-devices', file: 'pages/03-live-devices.html', title: 'Live devices and volatile data' },
  { id: 'seizing', file: 'pages/04-seizing.html', title: 'Seizing and packaging devices' },
  { id: 'quiz', file: 'pages/05-quiz.html', title: 'Knowledge check' },
];

export const QUESTIONS = [
  {
    id: 'q1-phone-found-on', type: 'choice', title: 'Phone found switched on',
    prompt: 'You find a smartphone switched on and unlocked at a scene. What do you do first?',
    choices: [
      { id: 'switch-off', text: 'Switch it off to save the battery' },
      { id: 'isolate', text: 'Isolate it from the networks and keep it powered' },
      { id: 'browse', text: 'Read the latest messages for leads' },
      { id: 'remove-sim', text: 'Take out the SIM card' },
    ],
    correct: ['isolate'],
  },
  {
    id: 'q2-restart-computer', type: 'true-false', title: 'Restarting a running computer',
    prompt: 'A running computer should be restarted so that it is in a known state before it is seized.',
    correct: ['false'],
  },
  {
    id: 'q3-volatile-memory', type: 'fill-in', title: 'Volatile memory',
    prompt: 'Data held in a computer’s working memory, also called … , is lost when the power goes off.',
    correct: ['{case_matters=false}RAM', '{case_matters=false}random access memory'],
  },
  {
    id: 'q4-first-response-order', type: 'sequencing', title: 'Order of the first response',
    prompt: 'Put the steps of a first response to a scene with digital devices in order.',
    choices: [
      { id: 'secure', text: 'Make the scene safe and keep people away from the devices' },
      { id: 'record', text: 'Photograph and note what the screens show and how devices are connected' },
      { id: 'package', text: 'Package, seal and label each device' },
      { id: 'hand-over', text: 'Hand the devices over to the digital forensics unit with the custody record' },
    ],
    correct: ['secure[,]record[,]package[,]hand-over'],
  },
  {
    id: 'q5-device-handling', type: 'matching', title: 'Handling each device',
    prompt: 'Match each device to the way it should be handled.',
    source: [
      { id: 'phone', text: 'Smartphone, switched on' },
      { id: 'laptop-off', text: 'Laptop, switched off' },
      { id: 'hard-drive', text: 'External hard drive' },
    ],
    target: [
      { id: 'faraday', text: 'Signal-blocking bag, kept powered' },
      { id: 'leave-off', text: 'Leave it off and seize it with its charger' },
      { id: 'anti-static', text: 'Anti-static bag, padded box' },
    ],
    correct: ['phone[.]faraday[,]laptop-off[.]leave-off[,]hard-drive[.]anti-static'],
  },
];
