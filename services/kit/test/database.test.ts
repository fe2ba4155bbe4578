import { describe, expect, it } from 'vitest';
import { preparedStatementLimit, queryConfig, splitStatements } from '../src/database.js';

describe('splitStatements', () => {
  it('splits at line-ending semicolons and drops comment lines', () => {
    const sql = `-- a comment; with a semicolon\nCREATE TABLE t (a INT);\nINSERT INTO t VALUES (1),\n  (2)\nON CONFLICT DO NOTHING;\n\n`;
    expect(splitStatements(sql)).toEqual(['CREATE TABLE t (a INT)', 'INSERT INTO t VALUES (1),\n  (2)\nON CONFLICT DO NOTHING']);
  });
});

describe('queryConfig (prepared statements)', () => {
  it('names a parameterised statement by its text, the same name every time, and leaves statements without parameters unnamed', () => {
    const first = queryConfig('SELECT a FROM t WHERE id = $1', [1]);
    expect(first).toMatchObject({ text: 'SELECT a FROM t WHERE id = $1', values: [1] });
    expect(first.name).toMatch(/^innover_[0-9a-f]{20}$/);
    expect(queryConfig('SELECT a FROM t WHERE id = $1', [2]).name).toBe(first.name);
    expect(queryConfig('SELECT b FROM t WHERE id = $1', [1]).name).not.toBe(first.name);
    expect(queryConfig('CREATE TABLE IF NOT EXISTS t (a INT)', [])).toEqual({ text: 'CREATE TABLE IF NOT EXISTS t (a INT)', values: [] });
  });

  it(`names at most ${preparedStatementLimit} distinct statements; SQL built in ever new shapes runs unnamed past that`, () => {
    for (let index = 0; index < preparedStatementLimit + 10; index += 1) queryConfig(`SELECT ${index} WHERE $1::INT8 > 0`, [1]);
    expect(queryConfig('SELECT 0 WHERE $1::INT8 > 0', [1]).name).toMatch(/^innover_/);
    expect(queryConfig(`SELECT ${preparedStatementLimit + 5} WHERE $1::INT8 > 0`, [1]).name).toBeUndefined();
  });
});
