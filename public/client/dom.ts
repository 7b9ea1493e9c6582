/** Finding the page's elements, failing loudly when the template and the script disagree. */

export function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`#${id} is missing from the page or is not a ${type.name}`);
  return element;
}
