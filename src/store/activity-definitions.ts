/**
 * How canonical activity definitions combine, shared by every adapter (part of the ActivityStore contract):
 * language maps (name, description, and the descriptions inside interaction components) gain and update
 * languages; every other property takes the newest value; extensions merge key by key.
 */
type Definition = Readonly<Record<string, unknown>>;

const languageMaps = new Set(['name', 'description']);
const componentLists = new Set(['choices', 'scale', 'source', 'target', 'steps']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export function mergeActivityDefinition(current: Definition | null, incoming: Definition): Definition {
  if (!current) return incoming;
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(incoming)) {
    const before = current[key];
    if ((languageMaps.has(key) || key === 'extensions') && isObject(before) && isObject(value)) {
      merged[key] = { ...before, ...value };
    } else if (componentLists.has(key) && Array.isArray(before) && Array.isArray(value)) {
      merged[key] = value.map((component: { id?: string; description?: object }) => {
        const old = (before as Array<{ id?: string; description?: object }>).find((c) => c.id === component.id);
        return old?.description && component.description ? { ...component, description: { ...old.description, ...component.description } } : component;
      });
    } else {
      merged[key] = value;
    }
  }
  return merged;
}
