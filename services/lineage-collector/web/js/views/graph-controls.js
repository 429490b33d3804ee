import { h } from '../dom.js';

/** `2026-01-31T10:00:00.000Z` -> the `datetime-local` value in the browser's zone. */
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function fromLocalInput(value) {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

export function depthInput(id, label, value, onChange) {
  const input = h('input', {
    id,
    type: 'number',
    min: '0',
    max: '20',
    step: '1',
    value: String(value),
    inputmode: 'numeric',
  });
  input.addEventListener('change', () => {
    const n = Math.max(0, Math.min(20, Number.parseInt(input.value, 10) || 0));
    input.value = String(n);
    onChange(n);
  });
  return h('span', { class: 'control' }, h('label', { for: id }, label), input);
}

export function asOfControl(value, onChange) {
  const input = h('input', {
    id: 'as-of',
    type: 'datetime-local',
    step: '1',
    value: toLocalInput(value),
    'aria-describedby': 'as-of-hint',
  });
  input.addEventListener('change', () => onChange(fromLocalInput(input.value)));
  const now = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      on: {
        click: () => {
          input.value = '';
          onChange('');
        },
      },
    },
    'Now',
  );
  return h(
    'span',
    { class: 'control' },
    h('label', { for: 'as-of' }, 'As of'),
    input,
    now,
    h(
      'span',
      { id: 'as-of-hint', class: 'visually-hidden' },
      'Show the lineage as it was at this time, in your time zone. Empty means now.',
    ),
  );
}

export function tagControl(tags, value, onlyTagged, onChange) {
  const select = h(
    'select',
    { id: 'tag-filter' },
    h('option', { value: '' }, 'none'),
    tags.map((t) => h('option', { value: t, selected: t === value }, t)),
  );
  const only = h('input', { id: 'tag-only', type: 'checkbox', checked: onlyTagged });
  const fire = () => onChange(select.value, only.checked);
  select.addEventListener('change', fire);
  only.addEventListener('change', fire);
  return h(
    'span',
    { class: 'control' },
    h('label', { for: 'tag-filter' }, 'Highlight tag'),
    select,
    h('span', { class: 'check' }, only, h('label', { for: 'tag-only' }, 'only tagged')),
  );
}
