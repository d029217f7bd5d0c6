/**
 * Argument checks shared by the engine's public functions.
 *
 * Every check throws an Error that names the argument, says what was expected and what came,
 * as rnnlib's `_validate` does: a reader who passes `x` with the wrong shape reads what to fix
 * instead of a NaN three functions later.
 * @module validate
 */

/** Short text of a value for an error message. */
export function describe(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${value.length}`;
  return `a ${value.constructor ? value.constructor.name : typeof value}`;
}

/** A finite real number, optionally bounded. */
export function real(name, value, { min = -Infinity, max = Infinity, strictMin = false, strictMax = false } = {}) {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${name} must be a finite real number; got ${describe(value)}`);
  }
  if (value < min || (strictMin && value === min)) {
    throw new Error(`${name} must be ${strictMin ? '>' : '>='} ${min}; got ${value}`);
  }
  if (value > max || (strictMax && value === max)) {
    throw new Error(`${name} must be ${strictMax ? '<' : '<='} ${max}; got ${value}`);
  }
  return value;
}

/** An integer in [min, max]. */
export function integer(name, value, { min = 1, max = Infinity } = {}) {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new Error(`${name} must be an integer >= ${min}; got ${describe(value)}`);
  }
  if (value < min || value > max) {
    const upper = Number.isFinite(max) ? ` and <= ${max}` : '';
    throw new Error(`${name} must be an integer >= ${min}${upper}; got ${value}`);
  }
  return value;
}

/** One of a few allowed strings. */
export function choice(name, value, options) {
  if (!options.includes(value)) {
    throw new Error(`${name} must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}; got ${describe(value)}`);
  }
  return value;
}

/** A vector of `length` finite numbers (plain array or typed array), returned as a new Float64Array. */
export function vector(name, value, length = null) {
  if (!(Array.isArray(value) || ArrayBuffer.isView(value))) {
    throw new Error(`${name} must be an array of numbers${length === null ? '' : ` of length ${length}`}; got ${describe(value)}`);
  }
  if (length !== null && value.length !== length) {
    throw new Error(`${name} must have length ${length}; got length ${value.length}`);
  }
  const out = new Float64Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${name} must hold finite numbers; got ${describe(v)} at index ${i}`);
    }
    out[i] = v;
  }
  return out;
}
