import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import draft06MetaSchema from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import { InvalidSchemaError } from '../schema-format.ts';
import type { Draft } from './drafts.ts';

/**
 * Checks a schema against its dialect's meta-schema (Ajv's copies of draft-06, draft-07, 2019-09 and
 * 2020-12), which catches what everit refuses while loading and a little more (a negative `minLength`,
 * a `required` that is not a list of strings). Draft-04 has no meta-schema in Ajv 8; for it the loader's
 * own keyword checks are the validation. Formats and unknown keywords are not judged, as Confluent does not.
 */

const META_SCHEMAS: Record<Exclude<Draft, 'draft-04'>, string> = {
  'draft-06': 'http://json-schema.org/draft-06/schema',
  'draft-07': 'http://json-schema.org/draft-07/schema',
  '2019-09': 'https://json-schema.org/draft/2019-09/schema',
  '2020-12': 'https://json-schema.org/draft/2020-12/schema',
};

const validators = new Map<Draft, ValidateFunction>();

export function validateAgainstMetaSchema(schema: unknown, draft: Draft): void {
  if (draft === 'draft-04') return;
  const validate = validatorFor(draft);
  let valid: boolean;
  try {
    valid = validate(schema);
  } catch (err) {
    // Ajv's validators recurse per nesting level; MAX_NESTING keeps well below the stack, this is the backstop.
    if (err instanceof RangeError)
      throw new InvalidSchemaError('the schema nests too deeply to validate', '#', { cause: err });
    throw err;
  }
  if (valid) return;
  const error = validate.errors?.[0];
  const at = error?.instancePath ?? '';
  const where = at === '' ? 'the schema' : `'${at.slice(1)}'`;
  const allowed =
    error?.keyword === 'enum'
      ? ` (${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)})`
      : '';
  throw new InvalidSchemaError(
    `${where} ${error?.message ?? 'is invalid'}${allowed}, per the ${draft} meta-schema`,
    `#${at}`,
  );
}

function validatorFor(draft: Exclude<Draft, 'draft-04'>): ValidateFunction {
  let validate = validators.get(draft);
  if (!validate) {
    const options = { strict: false, validateFormats: false, allErrors: false } as const;
    const ajv =
      draft === '2019-09'
        ? new Ajv2019(options)
        : draft === '2020-12'
          ? new Ajv2020(options)
          : new Ajv(options);
    if (draft === 'draft-06') ajv.addMetaSchema(draft06MetaSchema);
    validate = ajv.getSchema(META_SCHEMAS[draft])!;
    validators.set(draft, validate);
  }
  return validate;
}
