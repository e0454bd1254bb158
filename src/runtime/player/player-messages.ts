/**
 * The player's user-facing strings, English first. Keys are stable so a translation can be plugged
 * in later (DESIGN.md, "Pages": every user-facing string goes through a message catalogue); the
 * caller of `renderPlayerPage` may override any of them through `PlayerPageData.labels`.
 * `{message}` is replaced in the browser by the server's or the network's explanation.
 */
export const playerMessages = {
  'player.toc.toggle': 'Contents',
  'player.toc.label': 'Course contents',
  'player.toc.current': 'current unit',
  'player.previous': 'Previous',
  'player.next': 'Next',
  'player.exit': 'Exit',
  'player.frame.title': 'Course content',
  'player.noscript': 'This course needs JavaScript. Please turn it on and reload the page.',
  'player.status.saving': 'Saving your progress…',
  'player.status.saved': 'Your progress is saved.',
  'player.status.offline':
    'You are offline. Your progress is kept on this device and will be sent when the connection returns.',
  'player.status.rejected': 'Your progress could not be saved: {message}',
  'player.status.leaving': 'Saving your progress before leaving…',
  'player.navigation.forbidden': 'You cannot go there yet: {message}',
  'player.navigation.failed': 'The next unit could not be opened: {message}',
  'player.unit.finished': 'This unit is finished. Choose the next one in the contents, or exit.',
  'player.toc.status.not attempted': 'not started',
  'player.toc.status.unknown': 'not started',
  'player.toc.status.incomplete': 'in progress',
  'player.toc.status.browsed': 'browsed',
  'player.toc.status.completed': 'completed',
  'player.toc.status.passed': 'passed',
  'player.toc.status.failed': 'failed',
} as const;

export type PlayerMessageKey = keyof typeof playerMessages;

/** Every string the player shows, by key; `PlayerPageData.labels` may replace any of them. */
export type PlayerLabels = { [Key in PlayerMessageKey]: string };

export function resolvePlayerLabels(overrides: Partial<PlayerLabels> | undefined): PlayerLabels {
  const labels: PlayerLabels = { ...playerMessages };
  if (overrides) {
    for (const key of Object.keys(playerMessages) as PlayerMessageKey[]) {
      const value = overrides[key];
      if (typeof value === 'string' && value !== '') labels[key] = value;
    }
  }
  return labels;
}
