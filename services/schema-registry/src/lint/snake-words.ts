/** `billingEmail` -> `billing_email`, so one set of patterns serves both conventions. */
export function snakeWords(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
}
