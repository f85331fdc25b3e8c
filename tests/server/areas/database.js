// SPDX-License-Identifier: Apache-2.0
'use strict';
// Databases: list, create, drop, describe, alter properties.

const { E } = require('../lib/errors');
const { kvToObject, objectToKv, applyProperties } = require('../lib/util');

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

function validateName(name) {
  if (!name) throw E.databaseInvalidName('database name should not be empty');
  if (!NAME_RE.test(name)) {
    throw E.databaseInvalidName(`the first character of a database name must be an underscore or letter, and can only contain numbers, letters and underscores: ${name}`);
  }
}

module.exports = {
  handlers: {
    async ListDatabases(req, ctx) {
      const dbs = [...ctx.state.databases.values()];
      return {
        status: ctx.ok(),
        db_names: dbs.map((d) => d.name),
        created_timestamp: dbs.map((d) => d.createdTs),
        db_ids: dbs.map((d) => d.id),
      };
    },

    async CreateDatabase(req, ctx) {
      validateName(req.db_name);
      if (ctx.state.databases.has(req.db_name)) throw E.unexpected(`database already exist: ${req.db_name}`);
      ctx.state.createDatabase(req.db_name, kvToObject(req.properties));
      return ctx.ok();
    },

    async DropDatabase(req, ctx) {
      if (req.db_name === 'default') throw E.invalidParameter('can not drop default database');
      const db = ctx.state.databases.get(req.db_name);
      if (!db) return ctx.ok(); // dropping a missing database is idempotent upstream
      if (db.collections.size > 0) {
        throw E.invalidParameter(`can not drop database ${req.db_name} with collections`);
      }
      ctx.state.databases.delete(req.db_name);
      return ctx.ok();
    },

    async DescribeDatabase(req, ctx) {
      const db = ctx.state.getDatabase(req.db_name || 'default');
      return {
        status: ctx.ok(),
        db_name: db.name,
        dbID: db.id,
        created_timestamp: db.createdTs,
        properties: objectToKv(db.properties),
      };
    },

    async AlterDatabase(req, ctx) {
      const db = ctx.state.getDatabase(req.db_name);
      if (req.properties.length && req.delete_keys.length) {
        throw E.invalidParameter('cannot provide both properties and delete_keys');
      }
      applyProperties(db.properties, req.properties, req.delete_keys);
      return ctx.ok();
    },
  },
};
