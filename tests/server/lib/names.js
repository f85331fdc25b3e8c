// SPDX-License-Identifier: Apache-2.0
'use strict';
// Name rules of the proxy (validateCollectionName and friends).

const { E } = require('./errors');

const MAX_NAME = 255;

// Field names (proxy validateFieldName) fail with merr.ErrFieldNameInvalid
// (1701, "field name invalid[field=<name>]") and capitalised sentences, as
// a real Milvus answers; the other names with invalid parameter (1100).
function validateName(kind, name) {
  const label = kind.toLowerCase();
  const isField = kind === 'Field';
  const fail = (msg) => {
    throw isField ? E.fieldNameInvalid(name, msg) : E.invalidParameter(msg);
  };
  const sentence = (text) => (isField ? `${text.charAt(0).toUpperCase()}${text.slice(1)}.` : text);
  if (!name) fail(`${label} name should not be empty`);
  const invalid = `Invalid ${label} name: ${name}. `;
  if (name.length > MAX_NAME) {
    fail(`${invalid}${sentence(`the length of a ${label} name must be less than ${MAX_NAME} characters`)}`);
  }
  if (!/^[A-Za-z_]/.test(name)) {
    fail(`${invalid}${sentence(`the first character of a ${label} name must be an underscore or letter`)}`);
  }
  if (!/^[A-Za-z0-9_]*$/.test(name)) {
    fail(`${invalid}${sentence(`${kind} name can only contain numbers, letters and underscores`)}`);
  }
}

module.exports = { validateName };
