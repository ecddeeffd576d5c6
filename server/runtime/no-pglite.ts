/**
 * Stands in for `@electric-sql/pglite` in the Workers bundle (see wrangler.toml `[alias]`): Workers
 * reach PostgreSQL through Hyperdrive, and the WASM database has no place there.
 */
export const PGlite = {
  create(): never {
    throw new Error('the embedded database is not available on Workers: bind HYPERDRIVE');
  },
};
