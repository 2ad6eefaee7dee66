// Label names as Loki and Prometheus accept them: a letter or underscore, then letters, digits, underscores.

export const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}
