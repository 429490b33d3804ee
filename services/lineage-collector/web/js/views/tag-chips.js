import { h } from '../dom.js';
import { tagLabel } from '../tags.js';

/** Tags as small labelled chips; inherited ones say so (in text, not only by colour). */
export function tagChips(tags) {
  if (!tags.length) return null;
  return h(
    'span',
    { class: 'chips' },
    tags.map((t) =>
      h(
        'span',
        {
          class: `chip chip-${t.key.replace(/[^a-z0-9-]/g, '') || 'other'}${t.inherited ? ' inherited' : ''}`,
          title: t.inherited
            ? `inherited${t.from ? ` from ${t.from}` : ' from upstream'}`
            : `direct${t.source ? ` (${t.source})` : ''}`,
        },
        tagLabel(t),
        t.inherited ? h('span', { class: 'chip-note' }, ' (inherited)') : null,
      ),
    ),
  );
}
