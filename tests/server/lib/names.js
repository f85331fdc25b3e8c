// SPDX-License-Identifier: Apache-2.0
'use strict';
// Name rules of the proxy (validateCollectionName and friends).

const { E } = require('./errors');

const MAX_NAME = 255;

function validateName(kind, name) {
  const label = kind.toLowerCase();
  if (!name) throw E.invalidParameter(`${label} name should not be empty`);
  const invalid = `Invalid ${label} name: ${name}. `;
  if (name.length > MAX_NAME) {
    throw E.invalidParameter(`${invalid}the length of a ${label} name must be less than ${MAX_NAME} characters`);
  }
  if (!/^[A-Za-z_]/.test(name)) {
    throw E.invalidParameter(`${invalid}the first character of a ${label} name must be an underscore or letter`);
  }
  if (!/^[A-Za-z0-9_]*$/.test(name)) {
    throw E.invalidParameter(`${invalid}${kind} name can only contain numbers, letters and underscores`);
  }
}

module.exports = { validateName };
