/**
 * Turns reports and the run they came from into one email: a subject, an HTML body and a plain-text alternative
 * with the same facts. Pure: no clock, no files, no environment. The same input always gives the same bytes,
 * which the golden-file tests rely on.
 *
 * facts.ts decides what the email says; placeholders.ts fills the subject; html.ts and plaintext.ts write the
 * two bodies.
 */
import { emailView, type EmailInput } from './facts.js';
import { customHtml, defaultHtml } from './html.js';
import { placeholderValues, renderSubject } from './placeholders.js';
import { plainText } from './plaintext.js';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export function renderEmail(input: EmailInput): RenderedEmail {
  const view = emailView(input);
  const values = placeholderValues(input);
  const subject = renderSubject(input.subjectTemplate, values);
  const html =
    input.htmlTemplate === undefined
      ? defaultHtml(view, subject)
      : customHtml(input.htmlTemplate, view, subject, values);
  return { subject, html, text: plainText(view) };
}
