// SPDX-License-Identifier: Apache-2.0
'use strict';
// Aliases: create, drop, alter, describe, list.  Every other area resolves
// names through state.resolveCollection, so an alias works everywhere.

const { E } = require('../lib/errors');
const { validateName } = require('../lib/names');

function targetCollection(ctx, db, name) {
  if (db.aliases.has(name)) throw E.invalidParameter(`cannot alias to an alias: ${name}`);
  const coll = db.collections.get(name);
  if (!coll) throw E.collectionNotFound(name, db.name);
  return coll;
}

function createAlias(req, ctx) {
  const db = ctx.db;
  validateName('Alias', req.alias);
  if (db.collections.has(req.alias)) {
    throw E.aliasConflict(db.name, req.alias);
  }
  const coll = targetCollection(ctx, db, req.collection_name);
  const current = db.aliases.get(req.alias);
  if (current === coll.name) return ctx.ok();
  if (current) throw E.aliasExists(db.name, req.alias, `${req.alias} is alias to another collection: ${current}`);
  db.aliases.set(req.alias, coll.name);
  return ctx.ok();
}

// rootcoord's CheckIfAliasAlterable order: a collection of the alias's
// name, then the target collection (merr.WrapErrCollectionNotFound, without
// the database), then the alias itself.
function alterAlias(req, ctx) {
  const db = ctx.db;
  if (db.collections.has(req.alias)) throw E.aliasConflict(db.name, req.alias);
  const coll = db.collections.get(req.collection_name);
  if (!coll) throw E.collectionNotFound(req.collection_name);
  if (!db.aliases.has(req.alias)) throw E.aliasNotFound(db.name, req.alias);
  db.aliases.set(req.alias, coll.name);
  return ctx.ok();
}

module.exports = {
  handlers: {
    async CreateAlias(req, ctx) {
      return createAlias(req, ctx);
    },

    async AlterAlias(req, ctx) {
      return alterAlias(req, ctx);
    },

    // rootcoord's CheckIfAliasDroppable (meta_table.go): dropping an alias
    // that does not exist is an error since the 2.6 DDL callbacks.
    async DropAlias(req, ctx) {
      const db = ctx.db;
      if (!db.aliases.has(req.alias)) throw E.aliasNotFound(db.name, req.alias);
      db.aliases.delete(req.alias);
      return ctx.ok();
    },

    async DescribeAlias(req, ctx) {
      const db = ctx.db;
      const target = db.aliases.get(req.alias);
      if (!target) throw E.aliasNotFound(db.name, req.alias);
      return { status: ctx.ok(), db_name: db.name, alias: req.alias, collection: target };
    },

    async ListAliases(req, ctx) {
      const db = ctx.db;
      let aliases = [...db.aliases.keys()].sort();
      if (req.collection_name) {
        const coll = targetCollection(ctx, db, req.collection_name);
        aliases = ctx.state.aliasesOf(db, coll.name);
      }
      return { status: ctx.ok(), db_name: db.name, collection_name: req.collection_name, aliases };
    },
  },
};
